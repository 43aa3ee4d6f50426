//! The channel a disclosure travelled by.

use super::coded::coded_enum;

coded_enum! {
    /// How the data was transferred.
    pub enum Channel {
        /// The Incomes Register (tulorekisteri) interface.
        IncomesRegister = 1, "incomes_register";
        /// The Suomi.fi data exchange layer (X-Road).
        SuomiFiXRoad = 2, "suomi_fi_x_road";
        FileTransfer = 3, "file_transfer";
        Email = 4, "email";
        Paper = 5, "paper";
        Other = 6, "other";
    }
}
