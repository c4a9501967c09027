//! The event loop's [`Event`]: each platform's own events, wrapped. The
//! platforms schedule theirs through `From`, without knowing this type.

use crate::engine::ec2::Ec2Event;
use crate::engine::lambda::LambdaEvent;

/// Every queued event of a run: each platform's own events. Small and
/// `Copy` so the queue moves no heap data.
///
/// Arrivals are not queued: each source's next arrival waits beside the
/// queue and the loop takes whichever is earlier (the queue first on a tie,
/// so work finishing at an instant frees its environment for an arrival at
/// that instant). That saves a heap push and pop per request, and every
/// platform is handed the very same arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// An event of the Lambda side.
    Lambda(LambdaEvent),
    /// An event of the EC2 side.
    Ec2(Ec2Event),
}

impl From<LambdaEvent> for Event {
    fn from(event: LambdaEvent) -> Event {
        Event::Lambda(event)
    }
}

impl From<Ec2Event> for Event {
    fn from(event: Ec2Event) -> Event {
        Event::Ec2(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_is_small() {
        assert!(
            std::mem::size_of::<Event>() <= 16,
            "{}",
            std::mem::size_of::<Event>()
        );
    }
}
