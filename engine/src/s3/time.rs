//! The timestamp formats the engine writes: RFC 7231 in S3's `Last-Modified`, ISO 8601 in S3's
//! XML and the SES outbox, and API Gateway's `requestContext.time` (`12/Mar/2020:19:03:58 +0000`).

use std::time::{SystemTime, UNIX_EPOCH};

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A UTC instant split into calendar fields.
struct Civil {
    days_since_epoch: i64,
    year: i64,
    month: u32,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
    millisecond: u32,
}

fn civil(time: SystemTime) -> Civil {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since.as_secs();
    let days_since_epoch = i64::try_from(seconds / 86_400).unwrap_or(i64::MAX);
    let (year, month, day) = civil_from_days(days_since_epoch);
    let of_day = seconds % 86_400;
    Civil {
        days_since_epoch,
        year,
        month,
        day,
        hour: of_day / 3600,
        minute: of_day % 3600 / 60,
        second: of_day % 60,
        millisecond: since.subsec_millis(),
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` (second precision).
pub(super) fn http_date(time: SystemTime) -> String {
    let civil = civil(time);
    let weekday = usize::try_from(civil.days_since_epoch.rem_euclid(7)).unwrap_or(0);
    let month = usize::try_from(civil.month - 1).map_or("Jan", |index| MONTHS[index]);
    format!(
        "{}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[weekday], civil.day, civil.year, civil.hour, civil.minute, civil.second
    )
}

/// `1994-11-06T08:49:37.000Z` (millisecond precision).
pub(crate) fn iso_8601(time: SystemTime) -> String {
    let civil = civil(time);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        civil.year,
        civil.month,
        civil.day,
        civil.hour,
        civil.minute,
        civil.second,
        civil.millisecond
    )
}

/// `1994-11-06T08:49:37Z` (second precision), as EventBridge writes an event's `time`.
pub(crate) fn iso_8601_seconds(time: SystemTime) -> String {
    let civil = civil(time);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second
    )
}

/// `06/Nov/1994:08:49:37 +0000`, the CLF-style time API Gateway puts in a payload 2.0 event's
/// `requestContext.time` (see the sample event in
/// <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html>).
pub(crate) fn request_time(time: SystemTime) -> String {
    let civil = civil(time);
    let month = usize::try_from(civil.month - 1).map_or("Jan", |index| MONTHS[index]);
    format!(
        "{:02}/{month}/{:04}:{:02}:{:02}:{:02} +0000",
        civil.day, civil.year, civil.hour, civil.minute, civil.second
    )
}

/// `time` truncated to whole seconds, as S3 stores `LastModified`: a listing and a `HEAD`
/// then agree.
pub(super) fn whole_seconds(time: SystemTime) -> SystemTime {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    UNIX_EPOCH + std::time::Duration::from_secs(seconds)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn formats_known_instants() {
        #[track_caller]
        fn case(seconds: u64, millis: u64, http: &str, iso: &str) {
            let time = UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_millis(millis);
            assert_eq!(http_date(time), http);
            assert_eq!(iso_8601(time), iso);
        }
        assert_eq!(
            request_time(UNIX_EPOCH + Duration::from_secs(784_111_777)),
            "06/Nov/1994:08:49:37 +0000"
        );
        case(
            0,
            0,
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "1970-01-01T00:00:00.000Z",
        );
        case(
            784_111_777,
            0,
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "1994-11-06T08:49:37.000Z",
        );
        case(
            951_782_400,
            250,
            "Tue, 29 Feb 2000 00:00:00 GMT",
            "2000-02-29T00:00:00.250Z",
        );
        case(
            1_798_761_599,
            999,
            "Thu, 31 Dec 2026 23:59:59 GMT",
            "2026-12-31T23:59:59.999Z",
        );
    }
}
