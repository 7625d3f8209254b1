//! The tantivy peer of the askalike benchmarks: the same command-line interface
//! and output as the other peers (see ../../peer_common.hpp).
//!
//!   tantivy-peer index CORPUS.jsonl DIR           (CORPUS and QUERIES may be - for standard input)
//!   tantivy-peer search DIR QUERIES.jsonl --k N [--threads T] [--exclude-self]
//!        [--run OUT.trec] [--warmup W] [--tag NAME] [--latencies OUT.tsv] [--mode bool|mlt]
//!   tantivy-peer compact DIR OUT      (copy + merge every segment into one)
//!
//! Index: text fields title/question/answer (stored, as a user would to show
//! results; frequencies and positions, as tantivy's TEXT), analysed like
//! Lucene's EnglishAnalyzer as far as tantivy's stock filters go: words split
//! on non-alphanumerics, lower-cased, Lucene's 33 English stop words removed,
//! Snowball English stemmer. id and group are untokenised (STRING); records
//! are upserted by id (delete_term + add_document). One IndexWriter with one
//! indexing thread per core and HEAP_PER_THREAD of memory each, one commit at
//! the end, then the writer waits for its background merges.
//!
//! Search, one IndexReader and one Searcher shared by the threads, BM25
//! (tantivy's only scoring, k1 = 1.2, b = 0.75). Mode bool (default): every
//! distinct analysed word of the question as a SHOULD TermQuery (with
//! frequencies) on each of the three fields. Mode mlt: tantivy's
//! MoreLikeThisQuery on the question text for the three fields with
//! min_doc_frequency = min_term_frequency = 1 and its other defaults (at most
//! 25 terms, boosted by their tf-idf, frequencies not read). A group is a
//! filter that adds no score; --exclude-self is a MUST_NOT on the id.

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Barrier;
use std::time::Instant;

use serde_json::{json, Value as Json};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, OwnedValue, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

const TEXT_FIELDS: [&str; 3] = ["title", "question", "answer"];
const ANALYZER: &str = "en_lucene";
/// Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, so that the two peers drop the same words.
const STOP_WORDS: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
];
/// Memory for each indexing thread (tantivy flushes a segment when it is full).
const HEAP_PER_THREAD: usize = 64 << 20;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A usage error: printed with the usage, exit 2.
#[derive(Debug)]
struct Usage(String);
impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Usage {}

fn usage_err<T>(msg: impl Into<String>) -> Result<T> {
    Err(Box::new(Usage(msg.into())))
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(STOP_WORDS.iter().map(|w| w.to_string())))
        .filter(Stemmer::new(Language::English))
        .build()
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("group", STRING);
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    for f in TEXT_FIELDS {
        b.add_text_field(f, text.clone());
    }
    b.build()
}

/// The analyser is not stored in the index: register it on every open.
fn with_analyzer(index: Index) -> Index {
    index.tokenizers().register(ANALYZER, analyzer());
    index
}

fn open(dir: &str) -> Result<Index> {
    Ok(with_analyzer(Index::open_in_dir(dir)?))
}

struct Fields {
    id: Field,
    group: Field,
    text: [Field; 3],
}

impl Fields {
    fn of(schema: &Schema) -> Result<Fields> {
        Ok(Fields {
            id: schema.get_field("id")?,
            group: schema.get_field("group")?,
            text: [
                schema.get_field(TEXT_FIELDS[0])?,
                schema.get_field(TEXT_FIELDS[1])?,
                schema.get_field(TEXT_FIELDS[2])?,
            ],
        })
    }
}

/// A JSON value as the peers read it: strings as they are, null/absent as "", others as their JSON text.
fn str_field(o: &Json, name: &str) -> String {
    match o.get(name) {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

fn peak_rss_kb() -> i64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l[6..].split_whitespace().next().and_then(|n| n.parse().ok()))
        })
        .unwrap_or(-1)
}

fn path_bytes(p: &Path) -> u64 {
    match fs::metadata(p) {
        Ok(m) if m.is_file() => m.len(),
        Ok(m) if m.is_dir() => fs::read_dir(p)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| path_bytes(&e.path())).sum())
            .unwrap_or(0),
        _ => 0,
    }
}

/// A JSON Lines input: a file, or standard input for "-".
fn open_input(path: &str) -> Result<Box<dyn BufRead>> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file = fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Ok(Box::new(BufReader::new(file)))
}

fn report(records: u64, seconds: f64, dir: &str) {
    let out = json!({"records": records, "seconds": seconds, "peak_rss_kb": peak_rss_kb(),
                     "index_bytes": path_bytes(Path::new(dir))});
    println!("{out}");
}

fn fresh_dir(dir: &str) -> Result<()> {
    if Path::new(dir).exists() {
        fs::remove_dir_all(dir)?;
    }
    fs::create_dir_all(dir)?;
    Ok(())
}

fn index(corpus: &str, dir: &str) -> Result<i32> {
    let t0 = Instant::now();
    fresh_dir(dir)?;
    let index = with_analyzer(Index::create_in_dir(dir, schema())?);
    let f = Fields::of(&index.schema())?;
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, threads * HEAP_PER_THREAD)?;
    let input = open_input(corpus)?;
    let mut n = 0u64;
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("{corpus}:{}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let o: Json = serde_json::from_str(&line).map_err(|e| format!("{corpus}:{}: {e}", i + 1))?;
        let mut doc = TantivyDocument::new();
        let id = str_field(&o, "id");
        doc.add_text(f.id, &id);
        let group = str_field(&o, "group");
        if !group.is_empty() {
            doc.add_text(f.group, &group);
        }
        for (field, name) in f.text.iter().zip(TEXT_FIELDS) {
            doc.add_text(*field, str_field(&o, name));
        }
        writer.delete_term(Term::from_field_text(f.id, &id));
        writer.add_document(doc)?;
        n += 1;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    report(n, t0.elapsed().as_secs_f64(), dir);
    Ok(0)
}

fn compact(dir: &str, out: &str) -> Result<i32> {
    let t0 = Instant::now();
    fresh_dir(out)?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        // Lock files belong to the source's writer and readers.
        if entry.file_type()?.is_file() && !name.to_string_lossy().ends_with(".lock") {
            fs::copy(entry.path(), Path::new(out).join(&name))?;
        }
    }
    let index = open(out)?;
    let mut writer: IndexWriter = index.writer_with_num_threads(1, HEAP_PER_THREAD)?;
    let segments = index.searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;
    report(0, t0.elapsed().as_secs_f64(), out);
    Ok(0)
}

struct Q {
    id: String,
    text: String,
    group: String,
}

fn read_queries(path: &str) -> Result<Vec<Q>> {
    let input = open_input(path)?;
    let mut out = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("{path}:{}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let o: Json = serde_json::from_str(&line).map_err(|e| format!("{path}:{}: {e}", i + 1))?;
        let mut text = str_field(&o, "text");
        if text.is_empty() {
            let (t, b) = (str_field(&o, "title"), str_field(&o, "question"));
            text = if t.is_empty() {
                b
            } else if b.is_empty() {
                t
            } else {
                format!("{t}. {b}")
            };
        }
        out.push(Q {
            id: str_field(&o, "id"),
            text,
            group: str_field(&o, "group"),
        });
    }
    Ok(out)
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Bool,
    Mlt,
}

struct SearchArgs {
    dir: String,
    queries: String,
    run: Option<String>,
    latencies: Option<String>,
    tag: Option<String>,
    k: usize,
    threads: usize,
    warmup: usize,
    exclude_self: bool,
    mode: Mode,
}

fn parse_search_args(args: &[String]) -> Result<SearchArgs> {
    let mut a = SearchArgs {
        dir: String::new(),
        queries: String::new(),
        run: None,
        latencies: None,
        tag: None,
        k: 10,
        threads: 1,
        warmup: 0,
        exclude_self: false,
        mode: Mode::Bool,
    };
    let mut pos = Vec::new();
    let mut it = args.iter();
    while let Some(s) = it.next() {
        let mut value = || -> Result<String> {
            match it.next() {
                Some(v) => Ok(v.clone()),
                None => usage_err(format!("missing value after {s}")),
            }
        };
        let number = |v: String| -> Result<usize> {
            v.parse()
                .or_else(|_| usage_err(format!("{s} needs a number, not {v:?}")))
        };
        match s.as_str() {
            "--k" | "-k" => a.k = number(value()?)?,
            "--threads" => a.threads = number(value()?)?,
            "--warmup" => a.warmup = number(value()?)?,
            "--run" => a.run = Some(value()?),
            "--latencies" => a.latencies = Some(value()?),
            "--tag" => a.tag = Some(value()?),
            "--exclude-self" => a.exclude_self = true,
            "--mode" => {
                a.mode = match value()?.as_str() {
                    "bool" => Mode::Bool,
                    "mlt" => Mode::Mlt,
                    m => return usage_err(format!("--mode bool|mlt, not {m:?}")),
                }
            }
            o if o.starts_with('-') && o != "-" => return usage_err(format!("unknown option {o}")),
            _ => pos.push(s.clone()),
        }
    }
    if pos.len() != 2 {
        return usage_err("search needs DIR and QUERIES.jsonl");
    }
    if a.k == 0 {
        return usage_err("--k must be at least 1");
    }
    if a.threads == 0 {
        a.threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    }
    a.queries = pos.pop().unwrap_or_default();
    a.dir = pos.pop().unwrap_or_default();
    Ok(a)
}

/// A hit: the record's id and its score.
type Hit = (String, f32);
/// A timed query: its index in the input, its hits, its latency in milliseconds.
type Answered = (usize, Vec<Hit>, f64);

/// Builds and runs the query for one question. One per thread: the analyser is not shared.
struct Worker<'a> {
    searcher: &'a Searcher,
    f: &'a Fields,
    analyzer: TextAnalyzer,
    mode: Mode,
}

impl Worker<'_> {
    /// The question's query, or None when it has no searchable word.
    fn base(&mut self, text: &str) -> Option<Box<dyn Query>> {
        if self.mode == Mode::Mlt {
            let fields = self
                .f
                .text
                .iter()
                .map(|f| (*f, vec![OwnedValue::Str(text.to_string())]))
                .collect();
            return Some(Box::new(
                MoreLikeThisQuery::builder()
                    .with_min_doc_frequency(1)
                    .with_min_term_frequency(1)
                    .with_document_fields(fields),
            ));
        }
        let mut seen = HashSet::new();
        let mut words = Vec::new();
        self.analyzer.token_stream(text).process(&mut |t| {
            if seen.insert(t.text.clone()) {
                words.push(t.text.clone());
            }
        });
        if words.is_empty() {
            return None;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(words.len() * 3);
        for w in &words {
            for f in self.f.text {
                let term = Term::from_field_text(f, w);
                clauses.push((
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                ));
            }
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    fn search(&mut self, q: &Q, k: usize, exclude_self: bool) -> Result<Vec<Hit>> {
        let Some(base) = self.base(&q.text) else {
            return Ok(Vec::new());
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, base)];
        if !q.group.is_empty() {
            let group = TermQuery::new(Term::from_field_text(self.f.group, &q.group), IndexRecordOption::Basic);
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(group), 0.0))));
        }
        if exclude_self {
            let me = TermQuery::new(Term::from_field_text(self.f.id, &q.id), IndexRecordOption::Basic);
            clauses.push((Occur::MustNot, Box::new(me)));
        }
        let top = self
            .searcher
            .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(k).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = self.searcher.doc(addr)?;
            let id = doc
                .get_first(self.f.id)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            hits.push((id, score));
        }
        Ok(hits)
    }
}

/// Nearest-rank percentile of sorted values (as peer_common.hpp).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn search(args: &[String]) -> Result<i32> {
    let a = parse_search_args(args)?;
    let queries = read_queries(&a.queries)?;
    let index = open(&a.dir)?;
    let f = Fields::of(&index.schema())?;
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
    let searcher = reader.searcher();
    let analyzer = index.tokenizer_for_field(f.text[0])?;

    let n = queries.len();
    let next = AtomicUsize::new(0);
    let warm_next = AtomicUsize::new(0);
    let start = Barrier::new(a.threads + 1);
    let mut results: Vec<Vec<Hit>> = vec![Vec::new(); n];
    let mut latency_ms = vec![0.0f64; n];
    let (seconds, outcomes) = std::thread::scope(|s| {
        let handles: Vec<_> = (0..a.threads)
            .map(|_| {
                let mut w = Worker {
                    searcher: &searcher,
                    f: &f,
                    analyzer: analyzer.clone(),
                    mode: a.mode,
                };
                let (queries, next, warm_next, start) = (&queries, &next, &warm_next, &start);
                s.spawn(move || -> Result<Vec<Answered>> {
                    // Warm-up: each thread takes its share of the first `warmup` queries, untimed.
                    let mut warm = || -> Result<()> {
                        loop {
                            let i = warm_next.fetch_add(1, Ordering::Relaxed);
                            if i >= a.warmup.min(n) {
                                return Ok(());
                            }
                            w.search(&queries[i], a.k, a.exclude_self)?;
                        }
                    };
                    // A panic must not skip the barrier: the main thread would wait for ever.
                    let warmed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(&mut warm));
                    start.wait(); // always: the main thread waits for every worker
                    warmed.map_err(|_| "a search thread panicked during the warm-up")??;
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return Ok(done);
                        }
                        let t0 = Instant::now();
                        let hits = w.search(&queries[i], a.k, a.exclude_self)?;
                        done.push((i, hits, t0.elapsed().as_secs_f64() * 1000.0));
                    }
                })
            })
            .collect();
        start.wait();
        let t0 = Instant::now();
        let outcomes: Vec<_> = handles.into_iter().map(|h| h.join()).collect();
        (t0.elapsed().as_secs_f64(), outcomes)
    });
    for outcome in outcomes {
        let done = outcome.map_err(|_| "a search thread panicked")??;
        for (i, hits, ms) in done {
            results[i] = hits;
            latency_ms[i] = ms;
        }
    }

    let tag = a
        .tag
        .clone()
        .unwrap_or_else(|| format!("tantivy_{}", if a.mode == Mode::Mlt { "mlt" } else { "bool" }));
    if let Some(run) = &a.run {
        let mut out = BufWriter::new(fs::File::create(run).map_err(|e| format!("cannot write {run}: {e}"))?);
        for (q, hits) in queries.iter().zip(&results) {
            for (r, (id, score)) in hits.iter().enumerate() {
                writeln!(out, "{} Q0 {} {} {:.6} {}", q.id, id, r + 1, score, tag)?;
            }
        }
        out.flush()?;
    }
    if let Some(path) = &a.latencies {
        let mut out = BufWriter::new(fs::File::create(path).map_err(|e| format!("cannot write {path}: {e}"))?);
        for (q, ms) in queries.iter().zip(&latency_ms) {
            writeln!(out, "{}\t{}", q.id, ms)?;
        }
        out.flush()?;
    }
    let mut sorted = latency_ms.clone();
    sorted.sort_by(|x, y| x.total_cmp(y));
    let out = json!({"queries": n, "seconds": seconds, "qps": if seconds > 0.0 { n as f64 / seconds } else { 0.0 },
                     "p50_ms": percentile(&sorted, 50.0), "p95_ms": percentile(&sorted, 95.0),
                     "p99_ms": percentile(&sorted, 99.0), "threads": a.threads, "k": a.k,
                     "peak_rss_kb": peak_rss_kb()});
    println!("{out}");
    Ok(0)
}

fn usage() -> i32 {
    eprintln!("usage: tantivy-peer index CORPUS.jsonl DIR            (- reads standard input)");
    eprintln!(
        "       tantivy-peer search DIR QUERIES.jsonl --k N [--threads T] [--exclude-self] [--run OUT.trec] \
         [--warmup W] [--tag NAME] [--latencies OUT.tsv] [--mode bool|mlt]"
    );
    eprintln!("       tantivy-peer compact DIR OUT");
    2
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("index") if args.len() == 3 => index(&args[1], &args[2]),
        Some("compact") if args.len() == 3 => compact(&args[1], &args[2]),
        Some("search") => search(&args[1..]),
        _ => Ok(usage()),
    };
    let rc = match outcome {
        Ok(rc) => rc,
        Err(e) if e.is::<Usage>() => {
            eprintln!("tantivy-peer: {e}");
            usage()
        }
        Err(e) => {
            eprintln!("tantivy-peer: {e}");
            1
        }
    };
    std::process::exit(rc);
}
