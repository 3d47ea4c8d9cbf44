#include "ssl/TlsKey.hxx"

#include "ssl/Digest.hxx"
#include "ssl/PeerContext.hxx"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

namespace pigeon::ssl {
namespace asio = boost::asio;

namespace {

struct Free {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
    void operator()(X509* certificate) const noexcept { X509_free(certificate); }
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertificatePtr = std::unique_ptr<X509, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;

// Long enough never to expire while the key is in use; nobody checks it (the pin is the trust).
constexpr long kValidSeconds = 100L * 365 * 24 * 3600;

std::string Hex(const std::string& bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : bytes) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
    }
    return out;
}

std::string Pem(const std::function<int(BIO*)>& write)
{
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1)
        throw std::runtime_error("cannot write a TLS key or certificate");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, std::size_t(size));
}

// Ed25519, like our identity: small, fast, and TLS 1.3 takes it.
std::pair<std::string, std::string> MakeKeyAndCertificate()
{
    const KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    const CertificatePtr certificate(X509_new());
    if (!key || !certificate)
        throw std::runtime_error("cannot make a TLS key");
    X509_set_version(certificate.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), kValidSeconds);
    X509_NAME* name = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("pigeon"), -1, -1, 0);
    X509_set_issuer_name(certificate.get(), name);
    if (X509_set_pubkey(certificate.get(), key.get()) != 1 ||
        X509_sign(certificate.get(), key.get(), nullptr) == 0)
        throw std::runtime_error("cannot sign our TLS certificate");
    return {Pem([&](BIO* bio) {
                return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr,
                                                nullptr);
            }),
            Pem([&](BIO* bio) { return PEM_write_bio_X509(bio, certificate.get()); })};
}

std::string ReadFile(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in)
        throw std::runtime_error("cannot read " + file.string());
    return text.str();
}

// Under a temporary name, synced, then renamed: a crash leaves no half a key.
void WriteFile(const std::filesystem::path& file, const std::string& text)
{
    const std::filesystem::path temp = file.string() + ".new";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::runtime_error("cannot create " + temp.string());
    const bool written =
        ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written || ::rename(temp.c_str(), file.c_str()) != 0)
        throw std::runtime_error("cannot write " + file.string());
}

CertificatePtr ReadCertificate(std::string_view pem)
{
    const BioPtr bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
    CertificatePtr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate)
        throw std::runtime_error("not a PEM certificate");
    return certificate;
}

int AnyCertificate(int, X509_STORE_CTX*)
{
    return 1; // self-signed by design: the stream checks the pin once the handshake is done
}

} // namespace

std::string PinOfX509(X509* certificate)
{
    unsigned char* der = nullptr;
    const int size = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(certificate), &der);
    if (size <= 0)
        throw std::runtime_error("cannot read a certificate's public key");
    const std::string spki(reinterpret_cast<char*>(der), std::size_t(size));
    OPENSSL_free(der);
    return Hex(Digest(Hash::Sha256, spki));
}

std::string PinOfCertificate(std::string_view pem)
{
    return PinOfX509(ReadCertificate(pem).get());
}

bool IsPin(std::string_view text) noexcept
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

TlsKey TlsKey::LoadOrCreate(const std::filesystem::path& key_file,
                            const std::filesystem::path& certificate_file)
{
    const bool has_key = std::filesystem::exists(key_file);
    if (has_key != std::filesystem::exists(certificate_file))
        throw std::runtime_error(
            (has_key ? certificate_file : key_file).string() + " is missing; move " +
            (has_key ? key_file : certificate_file).string() + " away to make a new TLS key");
    if (!has_key) {
        const auto [key, certificate] = MakeKeyAndCertificate();
        WriteFile(certificate_file, certificate); // first: a key alone would be refused
        WriteFile(key_file, key);
    }
    const std::string certificate = ReadFile(certificate_file);
    auto impl = std::make_shared<Impl>();
    auto& context = impl->context;
    try {
        SSL_CTX* native = context.native_handle();
        SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION);
        context.use_certificate(asio::buffer(certificate), asio::ssl::context::pem);
        const std::string key = ReadFile(key_file);
        boost::system::error_code ec;
        context.use_private_key(asio::buffer(key), asio::ssl::context::pem, ec);
        if (ec || SSL_CTX_check_private_key(native) != 1)
            throw std::runtime_error("it does not match " + certificate_file.string() + " (" +
                                     (ec ? ec.message() : "another key") + ")");
        context.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
        SSL_CTX_set_verify(native, SSL_CTX_get_verify_mode(native), AnyCertificate);
        // Every stream a full handshake: nothing to resume, nothing kept.
        SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_num_tickets(native, 0);
    } catch (const std::exception& e) {
        throw std::runtime_error("TLS key " + key_file.string() + ": " + e.what());
    }
    return TlsKey(std::move(impl), PinOfCertificate(certificate));
}

TlsKey::TlsKey(std::shared_ptr<Impl> impl, std::string pin)
    : impl_(std::move(impl)), pin_(std::move(pin))
{
}

TlsKey::~TlsKey() = default;
TlsKey::TlsKey(TlsKey&&) noexcept = default;
TlsKey& TlsKey::operator=(TlsKey&&) noexcept = default;

} // namespace pigeon::ssl
