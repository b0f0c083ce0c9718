//! `tillkit scan`: decode payment codes from images, the benchmark protocol, or a camera.
//!
//! Output is CSV, `file,decode_ms,format,text`, one row per symbol and an empty row when
//! nothing was found (the protocol `scripts/bench_scan.py` speaks).

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use tillkit_core::scan::camera::Camera;
use tillkit_core::scan::dedup::{ScanEvent, ScanSession};
use tillkit_core::scan::{Decoder, DecoderOptions, LumaImage, Symbol};

/// Arguments of `tillkit scan`.
#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Images to decode: PNG, JPEG or binary PGM.
    #[arg(required_unless_present_any = ["camera", "bench"])]
    pub images: Vec<PathBuf>,
    /// Read frames from the first camera until a payment code is accepted (needs the
    /// `camera` feature).
    #[arg(long, conflicts_with_all = ["bench", "images"])]
    pub camera: bool,
    /// Benchmark protocol: image paths on stdin, `BENCH_REPEAT` decodes each (default 5), the
    /// median decode time per image.
    #[arg(long, conflicts_with = "images")]
    pub bench: bool,
    /// Symbologies to look for: `code128`, `qr`, or both (default).
    #[arg(long, value_delimiter = ',', default_values = ["code128", "qr"])]
    pub formats: Vec<FormatArg>,
    /// Skip the slow passes (rxing try-harder and inverted), as a live camera would.
    #[arg(long)]
    pub fast: bool,
}

/// A symbology named on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    /// Code 128.
    Code128,
    /// QR Code.
    Qr,
}

/// Runs `tillkit scan`.
pub fn run(args: ScanArgs) -> ExitCode {
    let options = DecoderOptions {
        code128: args.formats.contains(&FormatArg::Code128),
        qr: args.formats.contains(&FormatArg::Qr),
        try_harder: !args.fast,
    };
    let mut decoder = Decoder::new(options);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(crate::out::QuietPipe::new(stdout.lock()));
    let result = if args.camera {
        run_camera(&mut decoder, &mut out)
    } else if args.bench {
        let repeat = std::env::var("BENCH_REPEAT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5usize)
            .max(1);
        let paths: Vec<PathBuf> = std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .filter(|l| !l.trim().is_empty())
            .map(PathBuf::from)
            .collect();
        run_images(&mut decoder, &paths, repeat, &mut out)
    } else {
        run_images(&mut decoder, &args.images, 1, &mut out)
    };
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(code), Ok(())) => code,
        (Err(message), _) => {
            eprintln!("tillkit scan: {message}");
            ExitCode::FAILURE
        }
        (_, Err(e)) => {
            eprintln!("tillkit scan: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Decodes each image `repeat` times and prints the median time. Unreadable images are
/// reported on stderr with an empty row, and make the exit code 2.
fn run_images(
    decoder: &mut Decoder,
    paths: &[PathBuf],
    repeat: usize,
    out: &mut impl Write,
) -> Result<ExitCode, String> {
    writeln!(out, "file,decode_ms,format,text").map_err(|e| e.to_string())?;
    let mut failed = false;
    for path in paths {
        let file = path.display().to_string();
        let image = match LumaImage::open(path) {
            Ok(image) => image,
            Err(e) => {
                eprintln!("tillkit scan: {file}: {e}");
                failed = true;
                write_row(out, &file, None, None).map_err(|e| e.to_string())?;
                continue;
            }
        };
        let mut times = Vec::with_capacity(repeat);
        let mut found = None;
        for _ in 0..repeat {
            let started = Instant::now();
            found = decoder.decode(&image);
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        write_row(out, &file, Some(times[times.len() / 2]), found.as_ref())
            .map_err(|e| e.to_string())?;
    }
    Ok(if failed { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// Reads camera frames until a payment code is accepted; prints every new reading.
fn run_camera(decoder: &mut Decoder, out: &mut impl Write) -> Result<ExitCode, String> {
    let mut camera = Camera::open_first().map_err(|e| e.to_string())?;
    let mut session = ScanSession::default();
    writeln!(out, "file,decode_ms,format,text").map_err(|e| e.to_string())?;
    loop {
        let frame = camera.frame().map_err(|e| e.to_string())?;
        let started = Instant::now();
        let symbol = decoder.decode(&frame);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match session.on_frame(symbol.as_ref().map(|s| s.text.as_str())) {
            Some(ScanEvent::New(code)) => {
                write_row(out, "camera", Some(ms), symbol.as_ref()).map_err(|e| e.to_string())?;
                eprintln!("accepted {} code {}", code.family().name(), code.masked());
                return Ok(ExitCode::SUCCESS);
            }
            Some(ScanEvent::AlreadyUsed) => eprintln!("refused: this code was already used"),
            Some(ScanEvent::Refused(reason)) => eprintln!("refused: {reason}"),
            None => {}
        }
    }
}

fn write_row(
    out: &mut impl Write,
    file: &str,
    ms: Option<f64>,
    symbol: Option<&Symbol>,
) -> std::io::Result<()> {
    let ms = ms.map(|m| format!("{m:.4}")).unwrap_or_default();
    let (format, text) = symbol.map(|s| (s.format.name(), s.text.as_str())).unwrap_or(("", ""));
    writeln!(out, "{},{ms},{format},{}", csv_field(file), csv_field(text))
}

/// Quotes a CSV field when it holds a comma, quote or line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("123"), "123");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\"\r\n"), "\"say \"\"hi\"\"\r\n\"");
    }
}
