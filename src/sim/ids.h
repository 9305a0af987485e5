// Identifiers of simulated visits, sources and objects, and the observing-night date they
// build on. Every id fits a signed 64-bit integer for nights before the year 9000.
#pragma once

#include <cstdint>
#include <string>

namespace skystream::sim {

// The largest visit sequence number of a night and the largest alert index of a visit.
inline constexpr int kMaxVisitSequence = 99999;
inline constexpr int kMaxAlertIndex = 999999;

struct CalendarDate {
  int year = 0;
  int month = 0;  // 1-12
  int day = 0;    // 1-31
};

// Returns the UTC calendar date of the MJD day that contains `mjd` (MJD 0 is 1858-11-17).
CalendarDate calendar_date(double mjd);

// Returns the observing night of a time as YYYYMMDD: the calendar date 12 hours earlier, so
// that a whole night in Chile has one date, as Rubin's day_obs. The 37 s between TAI and UTC
// are ignored.
int day_obs(double mjd_tai);

// Returns the visit id of the `sequence`-th visit (1-99999) of night `day_obs`, in the form of
// LSSTCam exposure ids: YYYYMMDD * 100000 + sequence, e.g. 2025112100042.
std::int64_t visit_id(int day_obs, int sequence);

// Returns the diaSourceId of the `index`-th alert (0-999999) of `visit`: visit * 1000000 +
// index, so that the id shows its visit.
std::int64_t dia_source_id(std::int64_t visit, int index);

// Returns the MPC provisional designation of the `ordinal`-th object (0-based) found in the
// half month of `date`: "2025 WA", "2025 WB", ..., "2025 WZ", "2025 WA1", ... The half-month
// letter runs A (January 1-15) to Y (December 16-31) and the second letter A to Z, both
// without I.
std::string provisional_designation(const CalendarDate& date, std::int64_t ordinal);

// Returns the same designation in the MPC's packed 7-character form: "2025 WA1" is "K25W01A".
// The cycle count takes two characters, digits up to 99 and then a letter for the tens
// (A = 10 to Z = 35, a = 36 to z = 61), so ordinals up to 25 * 620 - 1 have a packed form;
// larger ordinals return the unpacked designation.
std::string packed_provisional_designation(const CalendarDate& date, std::int64_t ordinal);

}  // namespace skystream::sim
