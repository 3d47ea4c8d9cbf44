#pragma once
// The one way an object tells the completions it scheduled whether it still
// exists. Asio may run a handler after its timer or socket was cancelled
// (the wait had already finished), and a callback we make may destroy the
// object that made it; such code takes a Token first and checks it after.

#include <memory>

namespace pigeon {

class Alive {
public:
    class Token {
    public:
        Token() = default;
        // True once the Alive it came from was destroyed (or for a default Token).
        bool Gone() const noexcept { return life_.expired(); }

    private:
        friend class Alive;
        explicit Token(std::weak_ptr<const void> life) noexcept : life_(std::move(life)) {}
        std::weak_ptr<const void> life_;
    };

    Alive() = default;
    // Each owner has its own life: copying or moving would share or steal it.
    Alive(const Alive&) = delete;
    Alive& operator=(const Alive&) = delete;

    Token Watch() const noexcept { return Token(life_); }

private:
    std::shared_ptr<const void> life_ = std::make_shared<char>();
};

} // namespace pigeon
