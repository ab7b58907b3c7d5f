//! Hybrid logical clock: (physical ms from the store's `Clock`, logical counter, replica id),
//! totally ordered, encoded as fixed-width text so that text order is clock order.

use std::fmt;

/// The version of everything a replica was created with (demo or empty baseline): older than
/// any write. Encoded as the empty string, which sorts first.
pub const BASELINE: &str = "";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
    pub replica: String,
}

impl Hlc {
    pub fn zero(replica: &str) -> Hlc {
        Hlc { wall_ms: 0, counter: 0, replica: replica.to_owned() }
    }

    /// Parses the text form; `None` for the baseline or anything malformed.
    pub fn parse(text: &str) -> Option<Hlc> {
        let mut parts = text.splitn(3, '-');
        let wall_ms = parts.next()?.parse().ok()?;
        let counter = parts.next()?.parse().ok()?;
        let replica = parts.next()?.to_owned();
        Some(Hlc { wall_ms, counter, replica })
    }

    /// The next timestamp for a local event at physical time `wall_ms`.
    pub fn tick(&mut self, wall_ms: u64) -> Hlc {
        if wall_ms > self.wall_ms {
            self.wall_ms = wall_ms;
            self.counter = 0;
        } else {
            self.counter += 1;
        }
        self.clone()
    }

    /// Takes in a timestamp seen from elsewhere, so later local events order after it.
    pub fn observe(&mut self, other: &str) {
        if let Some(o) = Hlc::parse(other) {
            if (o.wall_ms, o.counter) > (self.wall_ms, self.counter) {
                self.wall_ms = o.wall_ms;
                self.counter = o.counter;
            }
        }
    }
}

impl fmt::Display for Hlc {
    /// 15 digits of ms (until the year 33658), 6 of counter, then the replica id.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}-{:06}-{}", self.wall_ms, self.counter, self.replica)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_clock_an_hour_behind_still_orders_after_what_it_has_seen() {
        let mut behind = Hlc::zero("b");
        behind.observe(&Hlc { wall_ms: 3_600_000 + 5, counter: 2, replica: "a".into() }.to_string());
        let next = behind.tick(5);
        assert!(next.to_string() > Hlc { wall_ms: 3_600_000 + 5, counter: 2, replica: "a".into() }.to_string());
    }

    proptest! {
        /// Text order is the order of (wall_ms, counter, replica), and ticks strictly increase.
        #[test]
        fn text_order_is_clock_order(a in (0u64..1u64 << 45, 0u32..999_999, "[a-f0-9]{4}"),
                                     b in (0u64..1u64 << 45, 0u32..999_999, "[a-f0-9]{4}"),
                                     walls in proptest::collection::vec(0u64..1000, 1..20)) {
            let ha = Hlc { wall_ms: a.0, counter: a.1, replica: a.2 };
            let hb = Hlc { wall_ms: b.0, counter: b.1, replica: b.2 };
            prop_assert_eq!(ha.cmp(&hb), ha.to_string().cmp(&hb.to_string()));
            prop_assert_eq!(Hlc::parse(&ha.to_string()), Some(ha.clone()));
            let mut clock = Hlc::zero("r");
            let mut last = String::from(BASELINE);
            for w in walls {
                let t = clock.tick(w).to_string();
                prop_assert!(t > last);
                last = t;
            }
        }
    }
}
