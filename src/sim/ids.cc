#include "sim/ids.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

namespace skystream::sim {
namespace {

// MJD of the Unix epoch, 1970-01-01.
constexpr std::int64_t kUnixEpochMjd = 40587;

// The letters of provisional designations: the alphabet without I.
constexpr std::string_view kDesignationLetters = "ABCDEFGHJKLMNOPQRSTUVWXYZ";

// The digits of packed numbers: 0-9, then A-Z for 10-35 and a-z for 36-61.
constexpr std::string_view kPackedDigits =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

char half_month_letter(const CalendarDate& date) {
  return kDesignationLetters[(date.month - 1) * 2 + (date.day > 15 ? 1 : 0)];
}

}  // namespace

CalendarDate calendar_date(double mjd) {
  const auto days = std::chrono::days{static_cast<std::int64_t>(std::floor(mjd)) - kUnixEpochMjd};
  const std::chrono::year_month_day date{std::chrono::sys_days{days}};
  return {static_cast<int>(date.year()), static_cast<int>(static_cast<unsigned>(date.month())),
          static_cast<int>(static_cast<unsigned>(date.day()))};
}

int day_obs(double mjd_tai) {
  const CalendarDate date = calendar_date(mjd_tai - 0.5);
  return date.year * 10000 + date.month * 100 + date.day;
}

std::int64_t visit_id(int day_obs, int sequence) {
  return static_cast<std::int64_t>(day_obs) * 100000 + sequence;
}

std::int64_t dia_source_id(std::int64_t visit, int index) { return visit * 1000000 + index; }

std::string provisional_designation(const CalendarDate& date, std::int64_t ordinal) {
  const char first = half_month_letter(date);
  const char second = kDesignationLetters[ordinal % 25];
  const std::int64_t cycle = ordinal / 25;
  if (cycle == 0) return fmt::format("{} {}{}", date.year, first, second);
  return fmt::format("{} {}{}{}", date.year, first, second, cycle);
}

std::string packed_provisional_designation(const CalendarDate& date, std::int64_t ordinal) {
  const std::int64_t cycle = ordinal / 25;
  if (cycle >= 620) return provisional_designation(date, ordinal);

  // Century letter (18 -> I, 19 -> J, 20 -> K), two digits of the year, half-month letter,
  // cycle count in two characters, second letter.
  std::string packed(7, ' ');
  packed[0] = kPackedDigits[date.year / 100];
  packed[1] = static_cast<char>('0' + date.year / 10 % 10);
  packed[2] = static_cast<char>('0' + date.year % 10);
  packed[3] = half_month_letter(date);
  packed[4] = kPackedDigits[cycle / 10];
  packed[5] = static_cast<char>('0' + cycle % 10);
  packed[6] = kDesignationLetters[ordinal % 25];
  return packed;
}

}  // namespace skystream::sim
