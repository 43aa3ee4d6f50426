//! How a recorded disclosure relates to what its register's privacy notice declares.

use super::coded::coded_enum;

coded_enum! {
    /// A disclosure's standing against its register's catalogue, stored with it.
    pub enum Classification {
        /// Recipient, provisions and data categories fall within a declared regular
        /// disclosure.
        Declared = 1, "declared";
        /// Made on request: a requester's reference and a provision are given.
        OnRequest = 2, "on_request";
        /// Matches nothing declared; recorded only under the register's "flag" policy.
        Undeclared = 3, "undeclared";
    }
}
