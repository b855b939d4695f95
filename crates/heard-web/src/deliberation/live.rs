//! Open deliberations as they happen: anything an attendee gives (a vote, a statement, a choice,
//! dots, answers) is announced here, so the projector and the analysis wake at once rather than
//! polling the database.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::watch;

/// One channel per deliberation that something has been given to or watched since the server
/// started. The value counts the changes; receivers care only that it moved.
#[derive(Debug, Default)]
pub struct Live {
    channels: Mutex<HashMap<i64, watch::Sender<u64>>>,
}

impl Live {
    /// Says that something was given to deliberation `id`, waking whoever watches it.
    pub fn changed(&self, id: i64) {
        self.sender(id).send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that wakes each time deliberation `id` changes.
    pub fn watch(&self, id: i64) -> watch::Receiver<u64> {
        self.sender(id).subscribe()
    }

    fn sender(&self, id: i64) -> watch::Sender<u64> {
        // A poisoned lock only means another request panicked while holding it; the map is still
        // whole, since every write to it is a single insert.
        let mut channels = self.channels.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        channels.entry(id).or_insert_with(|| watch::channel(0).0).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_change_wakes_only_that_deliberations_watchers() {
        let live = Live::default();
        let mut one = live.watch(1);
        let mut two = live.watch(2);
        live.changed(1);
        tokio::time::timeout(std::time::Duration::from_secs(1), one.changed()).await.expect("woken").expect("open");
        assert_eq!(*one.borrow_and_update(), 1);
        assert!(!two.has_changed().expect("open"));
        live.changed(2);
        live.changed(2);
        two.changed().await.expect("open");
        assert_eq!(*two.borrow(), 2);
    }
}
