// The Lucene peer of the askalike benchmarks: the same command-line interface
// and output as the C++ peers (see ../../../../../../peer_common.hpp).
//
//   java -jar target/lucene-peer.jar index CORPUS.jsonl DIR
//   java -jar target/lucene-peer.jar search DIR QUERIES.jsonl --k N [--threads T]
//        [--exclude-self] [--run OUT.trec] [--warmup W] [--tag NAME]
//        [--mode mlt|bool] [--mlt-fields title,question,answer]
//   java -jar target/lucene-peer.jar compact DIR OUT      (copy + forceMerge(1))
//
// Index: EnglishAnalyzer, BM25Similarity, text fields title/question/answer
// (stored, as a user would to show results), id and group as keyword fields;
// records are upserted by id (updateDocument).
// Search, mode mlt (default): MoreLikeThis over the fields with the settings a
// user sets for short questions (minTermFreq=1, minDocFreq=1, the rest
// default: at most 25 query terms); mode bool: every distinct analysed term of
// the question as a SHOULD clause on each field.
package askalike.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.queries.mlt.MoreLikeThis;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.FSDirectory;

public final class LucenePeer {
  private static final String[] TEXT_FIELDS = {"title", "question", "answer"};
  private static final Set<String> ID_ONLY = Set.of("id");

  private LucenePeer() {}

  record Q(String id, String text, String group) {}

  record Hit(String id, float score) {}

  static String str(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) return "";
    return e.isJsonPrimitive() ? e.getAsString() : e.toString();
  }

  static long peakRssKb() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  static long pathBytes(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted((a, b) -> b.compareTo(a)).toArray(Path[]::new)) Files.delete(f);
    }
  }

  static IndexWriterConfig writerConfig() {
    IndexWriterConfig cfg = new IndexWriterConfig(new EnglishAnalyzer());
    cfg.setSimilarity(new BM25Similarity());
    return cfg;
  }

  static int index(String corpus, String dir) throws IOException {
    long t0 = System.nanoTime();
    Path path = Paths.get(dir);
    deleteTree(path);
    long n = 0;
    try (FSDirectory d = FSDirectory.open(path);
        IndexWriter w = new IndexWriter(d, writerConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE));
        BufferedReader in = Files.newBufferedReader(Paths.get(corpus), StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) continue;
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        Document doc = new Document();
        String id = str(o, "id");
        doc.add(new StringField("id", id, Field.Store.YES));
        String group = str(o, "group");
        if (!group.isEmpty()) doc.add(new StringField("group", group, Field.Store.NO));
        for (String f : TEXT_FIELDS) doc.add(new TextField(f, str(o, f), Field.Store.YES));
        w.updateDocument(new Term("id", id), doc);
        ++n;
      }
      w.commit();
    }
    report(n, (System.nanoTime() - t0) / 1e9, path);
    return 0;
  }

  static void report(long records, double seconds, Path dir) throws IOException {
    JsonObject out = new JsonObject();
    out.addProperty("records", records);
    out.addProperty("seconds", seconds);
    out.addProperty("peak_rss_kb", peakRssKb());
    out.addProperty("index_bytes", pathBytes(dir));
    System.out.println(out);
  }

  static int compact(String dir, String outDir) throws IOException {
    long t0 = System.nanoTime();
    Path out = Paths.get(outDir);
    deleteTree(out);
    Files.createDirectories(out);
    try (Stream<Path> s = Files.list(Paths.get(dir))) {
      for (Path f : s.toArray(Path[]::new)) {
        if (!f.getFileName().toString().equals("write.lock")) Files.copy(f, out.resolve(f.getFileName()));
      }
    }
    try (FSDirectory d = FSDirectory.open(out);
        IndexWriter w = new IndexWriter(d, writerConfig().setOpenMode(IndexWriterConfig.OpenMode.APPEND))) {
      w.forceMerge(1);
      w.commit();
    }
    report(0, (System.nanoTime() - t0) / 1e9, out);
    return 0;
  }

  static List<Q> readQueries(String path) throws IOException {
    List<Q> out = new ArrayList<>();
    for (String line : Files.readAllLines(Paths.get(path), StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      String text = str(o, "text");
      if (text.isEmpty()) {
        String t = str(o, "title");
        String b = str(o, "question");
        text = t.isEmpty() ? b : (b.isEmpty() ? t : t + ". " + b);
      }
      out.add(new Q(str(o, "id"), text, str(o, "group")));
    }
    return out;
  }

  /** One per thread: builds the query for a question and runs it. */
  static final class Worker {
    final IndexSearcher searcher;
    final Analyzer analyzer;
    final MoreLikeThis mlt;
    final String mode;
    final String[] mltFields;

    Worker(IndexSearcher searcher, DirectoryReader reader, Analyzer analyzer, String mode, String[] mltFields)
        throws IOException {
      this.searcher = searcher;
      this.analyzer = analyzer;
      this.mode = mode;
      this.mltFields = mltFields;
      this.mlt = new MoreLikeThis(reader);
      mlt.setAnalyzer(analyzer);
      mlt.setFieldNames(mltFields);
      mlt.setMinTermFreq(1);
      mlt.setMinDocFreq(1);
    }

    Query base(String text) throws IOException {
      if (mode.equals("mlt")) {
        Map<String, Collection<Object>> like = new HashMap<>();
        for (String f : mltFields) like.put(f, List.of(text));
        return mlt.like(like);
      }
      Set<String> terms = new LinkedHashSet<>();
      try (TokenStream ts = analyzer.tokenStream("question", text)) {
        CharTermAttribute att = ts.addAttribute(CharTermAttribute.class);
        ts.reset();
        while (ts.incrementToken()) terms.add(att.toString());
        ts.end();
      }
      BooleanQuery.Builder b = new BooleanQuery.Builder();
      for (String t : terms) {
        for (String f : TEXT_FIELDS) b.add(new TermQuery(new Term(f, t)), BooleanClause.Occur.SHOULD);
      }
      return b.build();
    }

    List<Hit> search(Q q, int k, boolean excludeSelf) throws IOException {
      List<Hit> hits = new ArrayList<>();
      Query base = base(q.text());
      if (base instanceof BooleanQuery bq && bq.clauses().isEmpty()) return hits;
      BooleanQuery.Builder b = new BooleanQuery.Builder().add(base, BooleanClause.Occur.MUST);
      if (!q.group().isEmpty()) b.add(new TermQuery(new Term("group", q.group())), BooleanClause.Occur.FILTER);
      if (excludeSelf) b.add(new TermQuery(new Term("id", q.id())), BooleanClause.Occur.MUST_NOT);
      TopDocs td = searcher.search(b.build(), k);
      StoredFields stored = searcher.storedFields();
      for (ScoreDoc sd : td.scoreDocs) hits.add(new Hit(stored.document(sd.doc, ID_ONLY).get("id"), sd.score));
      return hits;
    }
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) return 0.0;
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    rank = Math.max(1, Math.min(rank, sorted.length));
    return sorted[rank - 1];
  }

  static int search(String[] args) throws Exception {
    List<String> pos = new ArrayList<>();
    int k = 10;
    int threads = 1;
    int warmup = 0;
    boolean excludeSelf = false;
    String run = null;
    String mode = "mlt";
    String tag = null;
    String[] mltFields = TEXT_FIELDS;
    for (int i = 1; i < args.length; ++i) {
      switch (args[i]) {
        case "--k", "-k" -> k = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--exclude-self" -> excludeSelf = true;
        case "--run" -> run = args[++i];
        case "--mode" -> mode = args[++i];
        case "--tag" -> tag = args[++i];
        case "--mlt-fields" -> mltFields = args[++i].split(",");
        default -> {
          if (args[i].startsWith("-")) throw new IllegalArgumentException("unknown option " + args[i]);
          pos.add(args[i]);
        }
      }
    }
    if (pos.size() != 2) throw new IllegalArgumentException("search needs DIR and QUERIES.jsonl");
    if (!mode.equals("mlt") && !mode.equals("bool")) throw new IllegalArgumentException("--mode mlt|bool");
    if (threads <= 0) threads = Runtime.getRuntime().availableProcessors();
    if (tag == null) tag = "lucene_" + mode;
    // A long question with three fields can pass the default limit of 1024 clauses.
    IndexSearcher.setMaxClauseCount(1 << 20);

    List<Q> queries = readQueries(pos.get(1));
    try (FSDirectory d = FSDirectory.open(Paths.get(pos.get(0)));
        DirectoryReader reader = DirectoryReader.open(d)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      searcher.setSimilarity(new BM25Similarity());
      Analyzer analyzer = new EnglishAnalyzer();
      @SuppressWarnings("unchecked")
      List<Hit>[] results = new List[queries.size()];
      double[] latency = new double[queries.size()];
      AtomicInteger next = new AtomicInteger();
      AtomicInteger warmNext = new AtomicInteger();
      int nWarm = Math.min(warmup, queries.size());
      final int kk = k;
      final boolean ex = excludeSelf;
      final String md = mode;
      final String[] mf = mltFields;
      Throwable[] errors = new Throwable[threads];
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads + 1);
      java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(threads);
      for (int t = 0; t < threads; ++t) {
        final int tn = t;
        Thread th = new Thread(() -> {
          try {
            Worker w = new Worker(searcher, reader, analyzer, md, mf);
            for (int i; (i = warmNext.getAndIncrement()) < nWarm; ) w.search(queries.get(i), kk, ex);
            start.await();
            for (int i; (i = next.getAndIncrement()) < queries.size(); ) {
              long q0 = System.nanoTime();
              results[i] = w.search(queries.get(i), kk, ex);
              latency[i] = (System.nanoTime() - q0) / 1e6;
            }
          } catch (Throwable e) {
            errors[tn] = e;
            start.reset();
          } finally {
            done.countDown();
          }
        });
        th.start();
      }
      start.await();
      long t0 = System.nanoTime();
      done.await();
      double seconds = (System.nanoTime() - t0) / 1e9;
      for (Throwable e : errors) {
        if (e != null) throw new RuntimeException(e);
      }
      if (run != null) {
        try (BufferedWriter out = Files.newBufferedWriter(Paths.get(run), StandardCharsets.UTF_8)) {
          for (int i = 0; i < queries.size(); ++i) {
            List<Hit> hs = results[i];
            for (int r = 0; r < hs.size(); ++r) {
              out.write(String.format(Locale.ROOT, "%s Q0 %s %d %.6f %s%n", queries.get(i).id(), hs.get(r).id(),
                  r + 1, hs.get(r).score(), tag));
            }
          }
        }
      }
      double[] sorted = latency.clone();
      Arrays.sort(sorted);
      JsonObject out = new JsonObject();
      out.addProperty("queries", queries.size());
      out.addProperty("seconds", seconds);
      out.addProperty("qps", seconds > 0 ? queries.size() / seconds : 0.0);
      out.addProperty("p50_ms", percentile(sorted, 50));
      out.addProperty("p95_ms", percentile(sorted, 95));
      out.addProperty("p99_ms", percentile(sorted, 99));
      out.addProperty("threads", threads);
      out.addProperty("k", k);
      out.addProperty("peak_rss_kb", peakRssKb());
      System.out.println(out);
    }
    return 0;
  }

  static int usage(PrintStream err) {
    err.println("usage: lucene-peer index CORPUS.jsonl DIR");
    err.println("       lucene-peer search DIR QUERIES.jsonl --k N [--threads T] [--exclude-self] [--run OUT.trec]"
        + " [--warmup W] [--tag NAME] [--mode mlt|bool] [--mlt-fields title,question,answer]");
    err.println("       lucene-peer compact DIR OUT");
    return 2;
  }

  public static void main(String[] args) {
    int rc;
    try {
      if (args.length >= 3 && args[0].equals("index") && args.length == 3) rc = index(args[1], args[2]);
      else if (args.length == 3 && args[0].equals("compact")) rc = compact(args[1], args[2]);
      else if (args.length >= 3 && args[0].equals("search")) rc = search(args);
      else rc = usage(System.err);
    } catch (IllegalArgumentException e) {
      System.err.println("lucene-peer: " + e.getMessage());
      rc = usage(System.err);
    } catch (Exception e) {
      System.err.println("lucene-peer: " + e);
      rc = 1;
    }
    System.exit(rc);
  }
}
