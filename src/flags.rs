//! Flag fields that the schema types as plain integers but documents as a
//! bitwise OR. The generator maps them here through its overrides file
//! (`codegen/src/overrides.rs`).

use crate::ValueKind;
use crate::record::FieldValue;

bitflags::bitflags! {
    /// An app's management flags (`ManagementFlags` in InstallApplication,
    /// InstallEnterpriseApplication and the ManagedApplicationList reply):
    /// the bitwise OR of the flags below. Bits the schema does not name are
    /// kept, so a value from a newer OS round-trips unchanged.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
    pub struct ManagementFlags: i64 {
        /// `1`: remove the app when the MDM profile is removed (with
        /// `InstallAsManaged` on macOS).
        const REMOVE_APP_WITH_MDM_PROFILE = 1;
        /// `4`: prevent backup of the app's data.
        const PREVENT_DATA_BACKUP = 4;
        // Keep every other bit as received.
        const _ = !0;
    }
}

impl serde::Serialize for ManagementFlags {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.bits())
    }
}

impl<'de> serde::Deserialize<'de> for ManagementFlags {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::record::strict(d)
    }
}

impl FieldValue for ManagementFlags {
    const KIND: ValueKind = ValueKind::Integer;
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Int(self.bits())
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(ManagementFlags::from_bits_retain(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_is_both_flags_and_unknown_bits_survive() {
        let f = ManagementFlags::from_bits_retain(5);
        assert_eq!(f, ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE | ManagementFlags::PREVENT_DATA_BACKUP);
        let odd = ManagementFlags::from_bits_retain(1 | 8);
        assert!(odd.contains(ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE));
        assert_eq!(odd.bits(), 9);
    }
}
