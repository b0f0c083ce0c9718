use super::*;

const T: Duration = Duration::from_millis(250);

fn config() -> LinkConfig {
    LinkConfig { ack_timeout: T, max_retransmits: 3, max_queue: 8 }
}

/// Two ends with a synced session.
fn pair(now: Instant) -> (LinkMachine, LinkMachine) {
    let mut host = LinkMachine::new(Role::Initiator, config());
    let mut reader = LinkMachine::new(Role::Responder, config());
    host.connected(1, now);
    reader.connected(0, now);
    shuttle(&mut host, &mut reader, now);
    assert!(host.is_synced() && reader.is_synced());
    (host, reader)
}

/// Moves frames both ways until both are quiet.
fn shuttle(a: &mut LinkMachine, b: &mut LinkMachine, now: Instant) {
    loop {
        let mut moved = false;
        while let Some(f) = a.pop_transmit() {
            b.on_decoded(Decoded::Frame(f), now);
            moved = true;
        }
        while let Some(f) = b.pop_transmit() {
            a.on_decoded(Decoded::Frame(f), now);
            moved = true;
        }
        if !moved {
            return;
        }
    }
}

fn drain(m: &mut LinkMachine) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| m.pop_delivered()).collect()
}

#[test]
fn messages_flow_both_ways_in_order_and_past_the_sequence_wrap() {
    let now = Instant::now();
    let (mut host, mut reader) = pair(now);
    for i in 0..600u32 {
        host.send(i.to_be_bytes().to_vec(), now).unwrap();
        reader.send((i + 10_000).to_be_bytes().to_vec(), now).unwrap();
        shuttle(&mut host, &mut reader, now);
        assert_eq!(drain(&mut reader), vec![i.to_be_bytes().to_vec()]);
        assert_eq!(drain(&mut host), vec![(i + 10_000).to_be_bytes().to_vec()]);
    }
    assert_eq!(host.pending(), 0);
    assert_eq!(host.stats().retransmissions, 0);
}

#[test]
fn a_lost_ack_brings_a_retransmission_that_is_acknowledged_but_not_delivered_twice() {
    let now = Instant::now();
    let (mut host, mut reader) = pair(now);
    host.send(b"begin".to_vec(), now).unwrap();
    let data = host.pop_transmit().unwrap();
    reader.on_decoded(Decoded::Frame(data), now);
    assert_eq!(drain(&mut reader), vec![b"begin".to_vec()]);
    let _lost_ack = reader.pop_transmit().unwrap();
    host.on_tick(now + T).unwrap();
    shuttle(&mut host, &mut reader, now + T);
    assert!(drain(&mut reader).is_empty());
    assert_eq!(reader.stats().duplicates, 1);
    assert_eq!(host.pending(), 0);
}

#[test]
fn an_out_of_order_frame_is_refused_with_a_nak_naming_the_expected_number() {
    let now = Instant::now();
    let (_, mut reader) = pair(now);
    reader
        .on_decoded(Decoded::Frame(Frame { kind: FrameType::Data, seq: 5, payload: vec![1] }), now);
    assert!(drain(&mut reader).is_empty());
    assert_eq!(reader.pop_transmit(), Some(Frame::control(FrameType::Nak, 0)));
    assert_eq!(reader.stats().out_of_order, 1);
}

#[test]
fn a_damaged_frame_is_naked_and_the_sender_retransmits_at_once() {
    let now = Instant::now();
    let (mut host, mut reader) = pair(now);
    host.send(b"x".to_vec(), now).unwrap();
    let _damaged = host.pop_transmit().unwrap();
    reader.on_decoded(Decoded::Corrupt { kind: FrameType::Data, seq: 0 }, now);
    let nak = reader.pop_transmit().unwrap();
    assert_eq!(nak, Frame::control(FrameType::Nak, 0));
    host.on_decoded(Decoded::Frame(nak), now);
    host.on_tick(now).unwrap();
    shuttle(&mut host, &mut reader, now);
    assert_eq!(drain(&mut reader), vec![b"x".to_vec()]);
    assert_eq!(host.stats().retransmissions, 1);
}

#[test]
fn retransmissions_are_bounded() {
    let now = Instant::now();
    let (mut host, _reader) = pair(now);
    host.send(b"x".to_vec(), now).unwrap();
    let mut t = now;
    let mut sent = 0;
    loop {
        while host.pop_transmit().is_some() {
            sent += 1;
        }
        t += T;
        match host.on_tick(t) {
            Ok(()) => {}
            Err(e) => {
                assert_eq!(e, LinkError::RetriesExhausted { attempts: 4 });
                break;
            }
        }
        assert!(sent < 10, "retransmits without bound");
    }
    assert_eq!(sent, 4);
}

#[test]
fn an_unanswered_sync_is_bounded_too() {
    let now = Instant::now();
    let mut host = LinkMachine::new(Role::Initiator, config());
    host.connected(9, now);
    let mut t = now;
    let result = loop {
        t += T;
        if let Err(e) = host.on_tick(t) {
            break e;
        }
    };
    assert_eq!(result, LinkError::RetriesExhausted { attempts: 4 });
}

#[test]
fn the_frame_in_flight_at_a_drop_is_sent_again_in_the_next_session() {
    let now = Instant::now();
    let (mut host, mut reader) = pair(now);
    host.send(b"online response".to_vec(), now).unwrap();
    host.send(b"cancel".to_vec(), now).unwrap();
    let _lost = host.pop_transmit();
    host.connected(2, now);
    reader.disconnected();
    assert!(!host.is_synced());
    shuttle(&mut host, &mut reader, now);
    assert_eq!(drain(&mut reader), vec![b"online response".to_vec(), b"cancel".to_vec()]);
    assert_eq!(host.stats().sessions, 2);
}

#[test]
fn a_repeated_sync_does_not_restart_the_session() {
    let now = Instant::now();
    let (mut host, mut reader) = pair(now);
    host.send(b"a".to_vec(), now).unwrap();
    shuttle(&mut host, &mut reader, now);
    let sync = Frame { kind: FrameType::Sync, seq: 0, payload: 1u32.to_be_bytes().to_vec() };
    reader.on_decoded(Decoded::Frame(sync), now);
    assert_eq!(reader.stats().sessions, 1);
    shuttle(&mut host, &mut reader, now);
    host.send(b"b".to_vec(), now).unwrap();
    shuttle(&mut host, &mut reader, now);
    assert_eq!(drain(&mut reader), vec![b"a".to_vec(), b"b".to_vec()]);
}

#[test]
fn nothing_is_sent_or_accepted_before_the_session_starts() {
    let now = Instant::now();
    let mut reader = LinkMachine::new(Role::Responder, config());
    reader.send(b"event".to_vec(), now).unwrap();
    assert_eq!(reader.pop_transmit(), None);
    reader
        .on_decoded(Decoded::Frame(Frame { kind: FrameType::Data, seq: 0, payload: vec![] }), now);
    assert_eq!(reader.pop_delivered(), None);
    assert_eq!(reader.pop_transmit(), None);
}

#[test]
fn the_queue_and_message_size_are_bounded() {
    let now = Instant::now();
    let mut m = LinkMachine::new(Role::Initiator, config());
    for _ in 0..8 {
        m.send(vec![0], now).unwrap();
    }
    assert_eq!(m.send(vec![0], now), Err(LinkError::QueueFull { max: 8 }));
    let mut m = LinkMachine::new(Role::Initiator, config());
    assert_eq!(
        m.send(vec![0; MAX_PAYLOAD + 1], now),
        Err(LinkError::MessageTooLarge { len: MAX_PAYLOAD + 1, max: MAX_PAYLOAD })
    );
}

#[test]
fn a_stale_ack_is_ignored() {
    let now = Instant::now();
    let (mut host, _) = pair(now);
    host.send(b"x".to_vec(), now).unwrap();
    host.on_decoded(Decoded::Frame(Frame::control(FrameType::Ack, 200)), now);
    assert_eq!(host.pending(), 1);
}
