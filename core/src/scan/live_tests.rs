use std::sync::Arc;

use super::*;
use crate::scan::synth::payment_frame;
use crate::scan::PixelFormat;

fn frame_of(seed: u64) -> (Vec<u8>, u32, u32, String) {
    let synth = payment_frame(seed, 0, 1280, 720).unwrap();
    let (w, h) = (synth.image.width(), synth.image.height());
    (synth.image.pixels().to_vec(), w, h, synth.code)
}

#[test]
fn a_frame_arriving_during_a_decode_is_dropped_and_counted() {
    let live = LiveScan::default();
    let (pixels, w, h, code) = frame_of(3);
    let frame = Frame::luma(&pixels, w, h, w as usize).unwrap();
    // The decoder held as a running decode holds it: deterministic "busy".
    let running = live.decoder.lock().unwrap();
    assert_eq!(live.submit(&frame).unwrap(), LiveOutcome::Dropped);
    assert_eq!(live.submit(&frame).unwrap(), LiveOutcome::Dropped);
    drop(running);
    let stats = live.stats();
    assert_eq!((stats.submitted, stats.dropped, stats.decoded, stats.busy), (2, 2, 0, false));
    let LiveOutcome::Event(ScanEvent::New(found)) = live.submit(&frame).unwrap() else {
        panic!("the frame after the busy ones is decoded")
    };
    assert_eq!(found.digits(), code);
    assert_eq!(live.submit(&frame).unwrap(), LiveOutcome::Nothing, "confirmed once");
    live.mark_used(&found);
    assert!(live.is_used(&found));
    assert_eq!(live.stats().decoded, 2);
}

#[test]
fn used_codes_are_refused_and_empty_frames_are_timed() {
    let live = LiveScan::default();
    let (pixels, w, h, code) = frame_of(4);
    live.mark_used(&PaymentCode::parse(&code).unwrap());
    let frame = Frame::luma(&pixels, w, h, w as usize).unwrap();
    assert_eq!(live.submit(&frame).unwrap(), LiveOutcome::Event(ScanEvent::AlreadyUsed));
    let gray = vec![128u8; 640 * 480];
    let empty = Frame::luma(&gray, 640, 480, 640).unwrap();
    assert_eq!(live.submit(&empty).unwrap(), LiveOutcome::Nothing);
    let stats = live.stats();
    assert_eq!((stats.empty, stats.decoded), (1, 2));
    assert_eq!(stats.empty_frame_micros(), stats.empty_micros);
}

#[test]
fn region_and_rotation_are_validated_and_applied() {
    let live = LiveScan::default();
    assert_eq!(live.set_rotation(45), Err(ViewError::Rotation { degrees: 45 }));
    assert!(live.set_rotation(-90).is_ok());
    let empty = Roi { x: 0, y: 0, width: 0, height: 10 };
    assert!(matches!(live.set_region(Some(empty)), Err(ViewError::Region { .. })));
    let wrapping = Roi { x: u32::MAX, y: 0, width: 2, height: 1 };
    assert!(matches!(live.set_region(Some(wrapping)), Err(ViewError::Region { .. })));
    let beyond = Roi { x: 9_000, y: 0, width: 1_001, height: 1 };
    assert!(matches!(live.set_region(Some(beyond)), Err(ViewError::Region { .. })));
    // The frame turned a quarter: only a session turning it back reads it.
    let (pixels, w, h, code) = frame_of(5);
    let turned = crate::scan::LumaImage::from_pixels(w, h, pixels).unwrap().rotated(Rotation::Cw90);
    let (tw, th) = (turned.width(), turned.height());
    let frame = Frame::luma(turned.pixels(), tw, th, tw as usize).unwrap();
    live.set_rotation(270).unwrap();
    let LiveOutcome::Event(ScanEvent::New(found)) = live.submit(&frame).unwrap() else {
        panic!("read once turned upright")
    };
    assert_eq!(found.digits(), code);
    // A region that fits the session but not this frame is the frame's typed error.
    live.set_region(Some(Roi { x: 0, y: 0, width: tw + 1, height: 10 })).unwrap();
    assert!(matches!(live.submit(&frame), Err(FrameError::RoiOutside { .. })));
    live.set_region(None).unwrap();
    assert_eq!(live.stats().submitted, 2);
}

#[test]
fn stop_waits_for_the_running_decode_and_later_frames_are_not_read() {
    let live = Arc::new(LiveScan::default());
    let noise: Vec<u8> =
        (0..1920u32 * 1080).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let worker = {
        let live = Arc::clone(&live);
        std::thread::spawn(move || {
            let frame = Frame::new(&noise, 1920, 1080, 1920, PixelFormat::Luma8).unwrap();
            live.submit_waiting(&frame, None, Rotation::None).unwrap()
        })
    };
    while live.stats().submitted == 0 && !live.stats().busy {
        std::thread::yield_now();
    }
    live.stop();
    // stop() returned: no decode runs, none starts.
    assert!(!live.stats().busy);
    assert!(live.is_stopped());
    let outcome = worker.join().unwrap();
    assert!(matches!(outcome, LiveOutcome::Stopped | LiveOutcome::Nothing), "{outcome:?}");
    let gray = [0u8; 4];
    let frame = Frame::luma(&gray, 2, 2, 2).unwrap();
    assert_eq!(live.submit(&frame).unwrap(), LiveOutcome::Stopped);
    assert_eq!(live.submit_waiting(&frame, None, Rotation::None).unwrap(), LiveOutcome::Stopped);
}

#[test]
fn flat_frames_are_not_decoded_but_anything_with_contrast_is() {
    let flat: Vec<u8> =
        (0..640u32 * 480).map(|i| 120 + (i.wrapping_mul(2_654_435_761) >> 29) as u8).collect();
    let image =
        |pixels: &[u8]| crate::scan::LumaImage::from_pixels(640, 480, pixels.to_vec()).unwrap();
    assert!(looks_flat(&image(&flat)), "a span of 8 levels is flat");
    let mut patch = flat.clone();
    for y in 300..340 {
        patch[y * 640 + 500..y * 640 + 540].fill(20);
    }
    assert!(!looks_flat(&image(&patch)), "a 40-pixel dark patch is seen");
    let (pixels, w, h, _) = frame_of(6);
    let code = crate::scan::LumaImage::from_pixels(w, h, pixels).unwrap();
    assert!(!looks_flat(&code));
    let live = LiveScan::default();
    let frame = Frame::luma(&flat, 640, 480, 640).unwrap();
    assert_eq!(live.submit(&frame).unwrap(), LiveOutcome::Nothing);
    assert_eq!(live.stats().empty, 1);
}
