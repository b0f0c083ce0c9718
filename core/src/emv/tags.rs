//! The dictionary of common EMV tags: name, format, and whether (and how) the value is masked.
//!
//! The mask rule is what keeps card data in the core: the parser masks every value whose tag
//! has one. A reader-specific tag carrying a PAN must be added here with a rule before such a
//! reader is supported.

use super::tlv::Tag;

/// An EMV data format (EMV Book 3, section 4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `n`: BCD digits, right-justified, zero-padded on the left.
    Numeric,
    /// `cn`: BCD digits, left-justified, padded with F on the right.
    CompressedNumeric,
    /// `an` / `ans`: ASCII text.
    Text,
    /// `b`: bits and bytes.
    Binary,
    /// A template: more TLV objects.
    Template,
}

/// How a sensitive value is masked on parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaskRule {
    /// Shown as it is.
    None,
    /// A PAN (cn): first 6 and last 4 digits kept, stars between.
    Pan,
    /// Track 2 (b, BCD with separator D): masked PAN, `D`, then a star per remaining digit.
    Track2,
    /// Track 1 (ans, `B` PAN `^` name `^` ...): `B`, masked PAN, `^`, then a star per byte.
    Track1,
    /// Entirely hidden: a star per byte.
    Whole,
}

/// What the dictionary knows about a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagInfo {
    /// The tag.
    pub tag: Tag,
    /// Its EMV name.
    pub name: &'static str,
    /// Its data format.
    pub format: Format,
    /// How it is masked on parse.
    pub mask: MaskRule,
}

impl TagInfo {
    /// Whether the value is cardholder data that never leaves the core unmasked.
    pub fn sensitive(&self) -> bool {
        self.mask != MaskRule::None
    }
}

macro_rules! tags {
    ($($konst:ident = $value:literal, $name:literal, $format:ident, $mask:ident;)*) => {
        $(
            #[doc = concat!("`", stringify!($value), "`: ", $name, ".")]
            pub const $konst: Tag = Tag::known($value);
        )*
        /// Every tag the dictionary knows.
        pub const ALL: &[TagInfo] = &[$(TagInfo {
            tag: $konst,
            name: $name,
            format: Format::$format,
            mask: MaskRule::$mask,
        }),*];
    };
}

tags! {
    AMOUNT_AUTHORISED = 0x9F02, "Amount, Authorised (Numeric)", Numeric, None;
    AMOUNT_OTHER = 0x9F03, "Amount, Other (Numeric)", Numeric, None;
    TRANSACTION_CURRENCY = 0x5F2A, "Transaction Currency Code", Numeric, None;
    TRANSACTION_CURRENCY_EXPONENT = 0x5F36, "Transaction Currency Exponent", Numeric, None;
    AID = 0x4F, "Application Identifier (AID) - card", Binary, None;
    DF_NAME = 0x84, "Dedicated File (DF) Name", Binary, None;
    AID_TERMINAL = 0x9F06, "Application Identifier (AID) - terminal", Binary, None;
    APPLICATION_LABEL = 0x50, "Application Label", Text, None;
    APPLICATION_PREFERRED_NAME = 0x9F12, "Application Preferred Name", Text, None;
    PAN = 0x5A, "Application Primary Account Number (PAN)", CompressedNumeric, Pan;
    TRACK2_EQUIVALENT = 0x57, "Track 2 Equivalent Data", Binary, Track2;
    TRACK1_DATA = 0x56, "Track 1 Data", Text, Track1;
    TRACK2_DATA = 0x9F6B, "Track 2 Data (contactless)", Binary, Track2;
    TRACK1_DISCRETIONARY = 0x9F1F, "Track 1 Discretionary Data", Text, Whole;
    TRACK2_DISCRETIONARY = 0x9F20, "Track 2 Discretionary Data", CompressedNumeric, Whole;
    CARDHOLDER_NAME = 0x5F20, "Cardholder Name", Text, Whole;
    CARDHOLDER_NAME_EXTENDED = 0x9F0B, "Cardholder Name Extended", Text, Whole;
    EXPIRY_DATE = 0x5F24, "Application Expiration Date", Numeric, None;
    EFFECTIVE_DATE = 0x5F25, "Application Effective Date", Numeric, None;
    ISSUER_COUNTRY = 0x5F28, "Issuer Country Code", Numeric, None;
    PAN_SEQUENCE = 0x5F34, "Application PAN Sequence Number", Numeric, None;
    SERVICE_CODE = 0x5F30, "Service Code", Numeric, None;
    LANGUAGE_PREFERENCE = 0x5F2D, "Language Preference", Text, None;
    APPLICATION_CRYPTOGRAM = 0x9F26, "Application Cryptogram", Binary, None;
    CRYPTOGRAM_INFORMATION = 0x9F27, "Cryptogram Information Data", Binary, None;
    ATC = 0x9F36, "Application Transaction Counter (ATC)", Binary, None;
    TVR = 0x95, "Terminal Verification Results", Binary, None;
    TSI = 0x9B, "Transaction Status Information", Binary, None;
    CVM_RESULTS = 0x9F34, "Cardholder Verification Method (CVM) Results", Binary, None;
    CVM_LIST = 0x8E, "Cardholder Verification Method (CVM) List", Binary, None;
    ISSUER_APPLICATION_DATA = 0x9F10, "Issuer Application Data", Binary, None;
    UNPREDICTABLE_NUMBER = 0x9F37, "Unpredictable Number", Binary, None;
    TRANSACTION_DATE = 0x9A, "Transaction Date", Numeric, None;
    TRANSACTION_TIME = 0x9F21, "Transaction Time", Numeric, None;
    TRANSACTION_TYPE = 0x9C, "Transaction Type", Numeric, None;
    AIP = 0x82, "Application Interchange Profile", Binary, None;
    AFL = 0x94, "Application File Locator", Binary, None;
    AUC = 0x9F07, "Application Usage Control", Binary, None;
    APPLICATION_VERSION = 0x9F09, "Application Version Number - terminal", Binary, None;
    TERMINAL_COUNTRY = 0x9F1A, "Terminal Country Code", Numeric, None;
    IFD_SERIAL = 0x9F1E, "Interface Device (IFD) Serial Number", Text, None;
    TERMINAL_CAPABILITIES = 0x9F33, "Terminal Capabilities", Binary, None;
    TERMINAL_TYPE = 0x9F35, "Terminal Type", Numeric, None;
    ADDITIONAL_TERMINAL_CAPABILITIES = 0x9F40, "Additional Terminal Capabilities", Binary, None;
    TRANSACTION_SEQUENCE_COUNTER = 0x9F41, "Transaction Sequence Counter", Numeric, None;
    POS_ENTRY_MODE = 0x9F39, "Point-of-Service (POS) Entry Mode", Numeric, None;
    FORM_FACTOR = 0x9F6E, "Form Factor Indicator / Third Party Data", Binary, None;
    TTQ = 0x9F66, "Terminal Transaction Qualifiers", Binary, None;
    CTQ = 0x9F6C, "Card Transaction Qualifiers", Binary, None;
    PDOL = 0x9F38, "Processing Options Data Object List (PDOL)", Binary, None;
    CDOL1 = 0x8C, "Card Risk Management Data Object List 1 (CDOL1)", Binary, None;
    CDOL2 = 0x8D, "Card Risk Management Data Object List 2 (CDOL2)", Binary, None;
    AUTHORISATION_RESPONSE_CODE = 0x8A, "Authorisation Response Code", Text, None;
    AUTHORISATION_CODE = 0x89, "Authorisation Code", Text, None;
    ISSUER_AUTHENTICATION_DATA = 0x91, "Issuer Authentication Data", Binary, None;
    ISSUER_SCRIPT_1 = 0x71, "Issuer Script Template 1", Template, None;
    ISSUER_SCRIPT_2 = 0x72, "Issuer Script Template 2", Template, None;
    ISSUER_SCRIPT_COMMAND = 0x86, "Issuer Script Command", Binary, None;
    FCI = 0x6F, "File Control Information (FCI) Template", Template, None;
    APPLICATION_TEMPLATE = 0x61, "Application Template", Template, None;
    READ_RECORD_TEMPLATE = 0x70, "READ RECORD Response Message Template", Template, None;
    RESPONSE_FORMAT_2 = 0x77, "Response Message Template Format 2", Template, None;
    RESPONSE_FORMAT_1 = 0x80, "Response Message Template Format 1", Binary, None;
    FCI_PROPRIETARY = 0xA5, "FCI Proprietary Template", Template, None;
    FCI_ISSUER_DISCRETIONARY = 0xBF0C, "FCI Issuer Discretionary Data", Template, None;
    PROPRIETARY_TEMPLATE_E1 = 0xE1, "Proprietary template (reader data)", Template, None;
}

/// What the dictionary knows about `tag`, if anything.
pub fn lookup(tag: Tag) -> Option<&'static TagInfo> {
    ALL.iter().find(|info| info.tag == tag)
}

/// How `tag`'s value is masked on parse ([`MaskRule::None`] for tags the dictionary lacks).
pub fn mask_rule(tag: Tag) -> MaskRule {
    lookup(tag).map_or(MaskRule::None, |info| info.mask)
}
