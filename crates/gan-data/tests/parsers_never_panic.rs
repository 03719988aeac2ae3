//! Property tests (the fuzzing of this project: cargo-fuzz needs a nightly toolchain, which
//! this machine cannot install): the IDX reader, the gzip layer and the prompt parser take
//! arbitrary bytes and text without panicking, and accept exactly what they should.

use std::path::Path;

use gan_data::idx::{decode_maybe_gz, encode_images, encode_labels, parse_images, parse_labels, read_images, write_maybe_gz, IdxImages};
use gan_data::vocab::Vocabulary;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

fn from_env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn valid_images() -> Vec<u8> {
    encode_images(&IdxImages { count: 3, rows: 4, cols: 5, pixels: (0..60).collect() })
}

proptest! {
    // A fixed seed: the same cases on every run of `make test`; `make fuzz` sets
    // GAN_FUZZ_CASES and GAN_FUZZ_SEED for a longer, different search.
    #![proptest_config(ProptestConfig { cases: from_env("GAN_FUZZ_CASES", 2000) as u32, rng_seed: RngSeed::Fixed(from_env("GAN_FUZZ_SEED", 15)), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_are_parsed_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let p = Path::new("x.idx");
        let _ = parse_images(&bytes, p);
        let _ = parse_labels(&bytes, p);
        let _ = decode_maybe_gz(bytes, p);
    }

    /// A valid file with one byte changed and a random cut: parsed (and then consistent) or
    /// refused by name; headers that claim more than the file holds never allocate it.
    #[test]
    fn mutated_and_truncated_files_are_refused_or_consistent(at in 0usize..76, byte in any::<u8>(), cut in 0usize..77) {
        let mut bytes = valid_images();
        bytes[at] = byte;
        bytes.truncate(cut.max(1));
        match parse_images(&bytes, Path::new("m.idx")) {
            Ok(img) => prop_assert_eq!(img.pixels.len(), img.count * img.rows * img.cols),
            Err(e) => prop_assert!(e.to_string().contains("m.idx"), "{}", e),
        }
    }

    /// The same damage inside a gzip file: the bounded reader (which reads a compressed file
    /// only as far as its header accounts for) agrees with parsing the whole decoded stream.
    #[test]
    fn gzipped_files_read_as_their_decoded_bytes_parse(at in 0usize..76, byte in any::<u8>(), cut in 0usize..80) {
        let mut bytes = valid_images();
        bytes[at] = byte;
        bytes.truncate(cut.max(1));
        if cut > 76 {
            bytes.extend(std::iter::repeat_n(7u8, cut - 76));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.gz");
        write_maybe_gz(&path, &bytes).unwrap();
        let whole = parse_images(&bytes, &path).map_err(|e| e.to_string());
        let bounded = read_images(&path).map_err(|e| e.to_string());
        prop_assert_eq!(bounded, whole);
    }

    #[test]
    fn labels_round_trip(labels in proptest::collection::vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(parse_labels(&encode_labels(&labels), Path::new("l")).unwrap(), labels);
    }

    #[test]
    fn prompts_are_parsed_or_refused(prompt in "\\PC{0,60}") {
        for v in [Vocabulary::mnist(), Vocabulary::fashion_mnist(), Vocabulary::numbered(3)] {
            if let Ok(classes) = v.parse_prompt(&prompt) {
                prop_assert!(classes.iter().all(|&c| c < v.len()));
            }
            let _ = v.lookup(&prompt);
        }
    }
}

/// `pickle.dumps({'a': l, 'b': (True, None, 'x', 1.5), 'c': l}, protocol)` with
/// `l = [1, -2, 300, 2**40]`, by Python 3.11, protocols 2 and 4.
const PICKLES: [&str; 2] = [
    "80027d71002858010000006171015d7102284b014afeffffff4d2c018a0600000000000165580100000062710328884e5801000000787104473ff800000000000074710558010000006371066802752e",
    "8004953b000000000000007d94288c0161945d94284b014afeffffff4d2c018a06000000000001658c01629428884e8c017894473ff800000000000074948c0163946802752e",
];

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn pickles_read_as_python_wrote_them_with_shared_containers() {
    use gan_data::pickle::{torchfile, Value};
    for hex in PICKLES {
        let v = torchfile::load(&unhex(hex)).unwrap();
        let ints = |v: &Value| v.items().unwrap().iter().map(|i| i.as_int().unwrap()).collect::<Vec<_>>();
        assert_eq!(ints(&v.get("a").unwrap()), vec![1, -2, 300, 1 << 40]);
        let (Some(Value::List(a)), Some(Value::List(c))) = (v.get("a"), v.get("c")) else { panic!("lists") };
        assert!(std::rc::Rc::ptr_eq(&a, &c), "the memo shares one list");
        let b = v.get("b").unwrap().items().unwrap();
        assert!(matches!((&b[0], &b[1], &b[3]), (Value::Bool(true), Value::None, Value::Float(f)) if *f == 1.5));
        assert_eq!(b[2].as_str(), Some("x"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: from_env("GAN_FUZZ_CASES", 2000) as u32, rng_seed: RngSeed::Fixed(from_env("GAN_FUZZ_SEED", 15)), ..ProptestConfig::default() })]

    /// A pickle with one byte changed and a random cut, or random bytes: read or refused,
    /// never a panic.
    #[test]
    fn mutated_pickles_are_read_or_refused(which in 0usize..2, at in 0usize..80, byte in any::<u8>(), cut in 0usize..81, noise in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = unhex(PICKLES[which]);
        let at = at % bytes.len();
        bytes[at] = byte;
        bytes.truncate(cut.max(1));
        let _ = gan_data::pickle::torchfile::load(&bytes);
        let _ = gan_data::pickle::torchfile::load(&noise);
    }
}
