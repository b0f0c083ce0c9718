//! The card's data as it may be kept for clearing an offline approval: everything the card
//! returned except the values the parser masks (PAN, track data, cardholder name, discretionary
//! data). What is left (cryptogram, ATC, TVR, amounts, AID…) proves the approval without
//! holding a card number.

use super::tlv::{encode, parse, Tlv, TlvError, Value};

/// Re-encodes `raw` BER-TLV without its sensitive objects. Templates keep their other children.
pub fn without_card_data(raw: &[u8]) -> Result<Vec<u8>, TlvError> {
    let kept = keep(parse(raw)?)?;
    encode(&kept)
}

fn keep(objects: Vec<Tlv>) -> Result<Vec<Tlv>, TlvError> {
    let mut out = Vec::with_capacity(objects.len());
    for object in objects {
        match object.value() {
            Value::Masked(_) => {}
            Value::Primitive(_) => out.push(object),
            Value::Constructed(children) => {
                let children = keep(children.clone())?;
                out.push(Tlv::constructed(object.tag(), children)?);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emv::{Tag, Value};

    fn tag(hex: &str) -> Tag {
        Tag::from_bytes(&hex::decode(hex).unwrap()).unwrap()
    }

    #[test]
    fn pan_and_track_data_are_dropped_inside_templates_too() {
        let pan = Tlv::primitive(tag("5A"), hex::decode("4761730000000119").unwrap()).unwrap();
        let track = Tlv::primitive(tag("57"), hex::decode("4761730000000119D25120").unwrap());
        let atc = Tlv::primitive(tag("9F36"), vec![0, 7]).unwrap();
        let template = Tlv::constructed(tag("70"), vec![track.unwrap(), atc.clone()]).unwrap();
        let raw = encode(&[pan, template]).unwrap();
        let kept = without_card_data(&raw).unwrap();
        assert!(!kept.windows(8).any(|w| w == hex::decode("4761730000000119").unwrap()));
        let tree = parse(&kept).unwrap();
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].children(), &[atc]);
        assert!(tree.iter().all(|o| !matches!(o.value(), Value::Masked(_))));
    }

    #[test]
    fn broken_data_is_an_error_not_a_panic() {
        assert!(without_card_data(&[0x9F, 0x36, 0x05, 0x00]).is_err());
        assert_eq!(without_card_data(&[]).unwrap(), Vec::<u8>::new());
    }
}
