//! Property tests: the validator and loader never panic, on random bytes or on random mutations of
//! a valid dataset, and a dataset the validator accepts always loads.

use proptest::prelude::*;

fn valid_bytes() -> Vec<u8> {
    dataset::to_canonical_bytes(&dataset::synthetic::catalogue(30, 3))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let problems = dataset::validate::validate_bytes(&bytes);
        let loaded = dataset::load_bytes(&bytes);
        if problems.is_empty() {
            prop_assert!(loaded.is_ok());
        }
    }

    #[test]
    fn mutations_of_a_valid_dataset_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = valid_bytes();
        for (at, byte, op) in edits {
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        if let Some(c) = cut {
            let n = c.index(bytes.len());
            bytes.truncate(n);
        }
        let problems = dataset::validate::validate_bytes(&bytes);
        let loaded = dataset::load_bytes(&bytes);
        if problems.is_empty() {
            prop_assert!(loaded.is_ok(), "validator accepted, loader refused: {:?}", loaded.err());
        } else {
            // Every problem is one printable line.
            for p in &problems {
                prop_assert!(!p.to_string().contains('\n'));
            }
        }
    }

    #[test]
    fn json_mutations_keep_errors_located(field in prop::sample::select(vec!["id", "name", "first_seen", "sources", "kind"]), index in 0usize..30) {
        let mut v: serde_json::Value = serde_json::from_slice(&valid_bytes()).unwrap();
        v["servers"][index][field] = serde_json::json!(["not", "valid"]);
        let problems = dataset::validate::validate_value(&v);
        prop_assert!(!problems.is_empty());
        prop_assert!(problems.iter().any(|p| p.record.as_ref().map(|r| r.1) == Some(index)), "{:?}", problems);
    }
}

#[test]
fn valid_dataset_round_trips_byte_identically() {
    let bytes = valid_bytes();
    assert!(dataset::validate::validate_bytes(&bytes).is_empty());
    let loaded = dataset::load_bytes(&bytes).unwrap();
    assert_eq!(dataset::to_canonical_bytes(&loaded), bytes);
}

#[test]
fn save_is_atomic_and_leaves_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("servers.json");
    let ds = dataset::synthetic::catalogue(5, 1);
    dataset::save(&path, &ds).unwrap();
    dataset::save(&path, &ds).unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(dataset::load(&path).unwrap(), {
        let mut d = ds.clone();
        d.normalize();
        d
    });
}
