use super::*;

fn field_of(e: TillKitError) -> String {
    match e {
        TillKitError::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn bad_frames_through_the_zero_copy_path_are_typed_errors() {
    let scanner = CodeScanner::new(false);
    let buf = vec![0u8; 4096];
    let cases: [(&[u8], i32, i32, i32, PixelFormat); 9] = [
        (&[], 0, 0, 0, PixelFormat::Luma8),
        (&buf, 0, 10, 10, PixelFormat::Luma8),
        (&buf, 20_000, 20_000, 20_000, PixelFormat::Luma8),
        (&buf, i32::MAX, 1, i32::MAX, PixelFormat::Bgra8),
        (&buf, -64, 64, -64, PixelFormat::Luma8),
        (&buf, 64, 64, 63, PixelFormat::Luma8),
        (&buf, 64, 64, 64, PixelFormat::Nv21),
        (&buf, 32, 32, 32, PixelFormat::Rgba8),
        (&buf[..4095], 64, 64, 64, PixelFormat::Luma8),
    ];
    for (data, w, h, stride, format) in cases {
        let e = scanner.submit_frame(data, w, h, stride, format).unwrap_err();
        assert_eq!(field_of(e), "frame", "{w}x{h} stride {stride} {format:?}");
    }
    assert_eq!(scanner.stats().submitted, 0, "refused frames never reach the session");
    assert_eq!(
        scanner.submit_frame(&buf, 64, 64, 64, PixelFormat::Luma8).unwrap(),
        FrameResult::Nothing
    );
}

#[test]
fn region_and_rotation_errors_name_their_field_and_stop_ends_reading() {
    let scanner = CodeScanner::new(false);
    assert_eq!(field_of(scanner.set_rotation(100).unwrap_err()), "rotation");
    let roi = Roi { x: 0, y: 0, width: 0, height: 5 };
    assert_eq!(field_of(scanner.set_region(Some(roi)).unwrap_err()), "region");
    let negative = Roi { x: -1, y: 0, width: 5, height: 5 };
    assert_eq!(field_of(scanner.set_region(Some(negative)).unwrap_err()), "region");
    scanner.set_region(Some(Roi { x: 60, y: 0, width: 10, height: 10 })).unwrap();
    let buf = vec![0u8; 64 * 64];
    let e = scanner.submit_frame(&buf, 64, 64, 64, PixelFormat::Luma8).unwrap_err();
    assert_eq!(field_of(e), "frame", "a region outside this frame");
    scanner.set_region(None).unwrap();
    scanner.stop();
    assert_eq!(
        scanner.submit_frame(&buf, 64, 64, 64, PixelFormat::Luma8).unwrap(),
        FrameResult::Stopped
    );
    assert_eq!(scanner.stats().decoded, 0);
}
