#include "util/Time.hxx"

#include <chrono>
#include <cstdio>

namespace pigeon {

UnixMs NowMs() noexcept
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

// Writes `value` (below 10^width) as `width` digits from `out` on.
void PutDigits(char* out, unsigned value, int width) noexcept
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = char('0' + value % 10);
        value /= 10;
    }
}

} // namespace

std::string FormatRfc3339(UnixMs t)
{
    using namespace std::chrono;
    const sys_time<milliseconds> tp{milliseconds{t}};
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const hh_mm_ss hms{tp - day};
    const int year = int(ymd.year());
    if (year < 0 || year > 9999) { // none that ParseRfc3339 takes: as snprintf writes it
        char buffer[40];
        std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year,
                      unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                      int(hms.minutes().count()), int(hms.seconds().count()),
                      int(hms.subseconds().count()));
        return buffer;
    }
    // By hand: a handoff writes two for each message it wraps, and
    // snprintf's format parsing was a tenth of the sender's work.
    std::string text = "0000-00-00T00:00:00.000Z";
    PutDigits(&text[0], unsigned(year), 4);
    PutDigits(&text[5], unsigned(ymd.month()), 2);
    PutDigits(&text[8], unsigned(ymd.day()), 2);
    PutDigits(&text[11], unsigned(hms.hours().count()), 2);
    PutDigits(&text[14], unsigned(hms.minutes().count()), 2);
    PutDigits(&text[17], unsigned(hms.seconds().count()), 2);
    PutDigits(&text[20], unsigned(hms.subseconds().count()), 3);
    return text;
}

namespace {

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept
{
    if (pos + n > s.size())
        return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

} // namespace

std::optional<UnixMs> ParseRfc3339(std::string_view s) noexcept
{
    using namespace std::chrono;
    int y, mo, d, h, mi, sec;
    if (!Digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, mo) ||
        s[7] != '-' || !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
        !Digits(s, 11, 2, h) || s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' ||
        !Digits(s, 17, 2, sec))
        return std::nullopt;
    const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 60)
        return std::nullopt;

    std::size_t pos = 19;
    int millis = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int scale = 100, count = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            millis += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
            ++count;
        }
        if (count == 0)
            return std::nullopt;
    }
    int offset_minutes = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh, om;
        if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !Digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size())
        return std::nullopt;

    const auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + milliseconds{millis} -
                    minutes{offset_minutes};
    // An offset or a leap second can carry the time out of the four-digit years that
    // FormatRfc3339 writes: refuse what we could not write back.
    constexpr sys_days kFirst{year{0} / January / 1};
    constexpr sys_days kAfterLast{year{10000} / January / 1};
    if (tp < kFirst || tp >= kAfterLast)
        return std::nullopt;
    return duration_cast<milliseconds>(tp.time_since_epoch()).count();
}

std::optional<UnixMs> ParseDuration(std::string_view text) noexcept
{
    constexpr UnixMs kMost = 10LL * 366 * 24 * 3600 * 1000;
    UnixMs total = 0;
    std::size_t pos = 0;
    if (text.empty())
        return std::nullopt;
    while (pos < text.size()) {
        UnixMs count = 0;
        const std::size_t first = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && count <= kMost)
            count = count * 10 + (text[pos++] - '0');
        if (pos == first || pos == text.size())
            return std::nullopt; // a number needs its unit, a unit its number
        UnixMs unit = 0;
        switch (text[pos++]) {
        case 's':
            unit = 1000;
            break;
        case 'm':
            unit = 60 * 1000;
            break;
        case 'h':
            unit = 3600 * 1000;
            break;
        case 'd':
            unit = 24 * 3600 * 1000;
            break;
        default:
            return std::nullopt;
        }
        if (count > kMost / unit)
            return std::nullopt;
        total += count * unit;
        if (total > kMost)
            return std::nullopt;
    }
    if (total == 0)
        return std::nullopt;
    return total;
}

} // namespace pigeon
