//! [`ErrorClass`] and [`Classify`]: which errors are worth retrying.

/// Whether an error may go away by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// Throttling, a 5xx, a timeout, a dropped connection: the same call may succeed later. Retried,
    /// and counted by a [`CircuitBreaker`](super::CircuitBreaker) as a failure of the dependency.
    Transient,
    /// A validation error, a 4xx, a failed precondition: the same call fails again. Never retried,
    /// and never counted as a failure of the dependency (a bad order is not a store outage).
    Permanent,
}

impl ErrorClass {
    /// The class of an HTTP status code: `408`, `429` and every `5xx` are transient; anything
    /// else is permanent.
    ///
    /// ```
    /// use runtime::resilience::ErrorClass;
    ///
    /// assert_eq!(ErrorClass::from_status(503), ErrorClass::Transient);
    /// assert_eq!(ErrorClass::from_status(412), ErrorClass::Permanent);
    /// ```
    pub fn from_status(status: u16) -> Self {
        match status {
            408 | 429 | 500..=599 => Self::Transient,
            _ => Self::Permanent,
        }
    }

    /// `true` for [`ErrorClass::Transient`].
    pub fn is_transient(self) -> bool {
        self == Self::Transient
    }
}

/// An error that knows whether it is [transient](ErrorClass::Transient).
///
/// [`retry`](super::retry) retries only transient errors, and a
/// [`CircuitBreaker`](super::CircuitBreaker) counts only transient errors as failures.
pub trait Classify {
    /// This error's class.
    fn class(&self) -> ErrorClass;

    /// `true` when the error is transient.
    fn is_transient(&self) -> bool {
        self.class().is_transient()
    }
}

impl ErrorClass {
    /// The class of any [`Classify`] error; handy as the `classify` argument of
    /// [`retry_with`](super::retry_with).
    pub fn of<E: Classify + ?Sized>(error: &E) -> Self {
        error.class()
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorClass;

    #[test]
    fn status_codes() {
        #[track_caller]
        fn case(status: u16, expected: ErrorClass) {
            assert_eq!(ErrorClass::from_status(status), expected, "status {status}");
        }
        case(200, ErrorClass::Permanent);
        case(400, ErrorClass::Permanent);
        case(404, ErrorClass::Permanent);
        case(408, ErrorClass::Transient);
        case(412, ErrorClass::Permanent);
        case(429, ErrorClass::Transient);
        case(500, ErrorClass::Transient);
        case(503, ErrorClass::Transient);
        case(599, ErrorClass::Transient);
        case(600, ErrorClass::Permanent);
    }
}
