//! `gan classifier train --heads F1,F2,...`: the attribute classifier of a colour image folder
//! with metadata (`gan::eval::attributes`), one head per field, measured on the held-out rows.

use gan::eval::attributes::{self, train::TrainOptions, AttributeCard};

use crate::cli::ClassifierTrainArgs;
use crate::exit::user;

pub fn train(a: &ClassifierTrainArgs) -> anyhow::Result<()> {
    let Some(dir) = &a.data else {
        return Err(user("--heads reads the metadata of an image folder: pass --data DIR"));
    };
    if !dir.is_dir() {
        return Err(user(format!("--data {}: directory does not exist", dir.display())));
    }
    let Some((field, value)) = a.held_out.split_once('=') else {
        return Err(user(format!("--held-out {}: expected FIELD=VALUE, e.g. split=test", a.held_out)));
    };
    let device = a.device.resolve()?;
    let data = attributes::data::read(dir, &a.heads, (field, value))?;
    let held = data.held_out.iter().filter(|&&h| h).count();
    let heads: Vec<String> = data.heads.iter().map(|(f, c, _)| format!("{f} ({} classes)", c.len())).collect();
    eprintln!("training the attribute classifier: {} images, {held} held out ({field} = {value}); heads {}", data.held_out.len() - held, heads.join(", "));
    let card = AttributeCard {
        data: dir.display().to_string(),
        heads: Vec::new(),
        held_out: format!("the rows with {field} = {value}"),
        held_out_images: 0,
        train_images: 0,
        epochs: 0,
        seed: 0,
        command: std::iter::once("gan".to_string()).chain(std::env::args().skip(1)).collect::<Vec<_>>().join(" "),
    };
    let opts = TrainOptions { epochs: a.epochs, batch_size: a.batch_size, seed: a.seed, device };
    let names: Vec<String> = a.heads.clone();
    let net = attributes::train::train(&data, card, opts, &mut |epoch, loss, acc| {
        let acc: Vec<String> = names.iter().zip(acc).map(|(n, a)| format!("{n} {:.2}%", 100.0 * a)).collect();
        eprintln!("epoch {epoch}/{}: loss {loss:.4}, held-out accuracy {}", a.epochs, acc.join(", "));
    })?;
    net.save(&a.out)?;
    eprintln!("wrote {} and {}", a.out.display(), attributes::net::card_path(&a.out).display());
    Ok(())
}
