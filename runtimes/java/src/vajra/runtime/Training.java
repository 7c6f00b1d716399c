package vajra.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The training run behind the runtime folder's class data sharing (CDS) archive: run once per JDK with
 * -XX:ArchiveClassesAtExit, it loads and uses what a cold start loads — the handler loading, PlainJson,
 * Jackson's databind on a POJO with a list, a map, java.time values and an Optional, a stream handler —
 * then serves the Runtime API through Bootstrap.main until Vajra's trainer answers /next with an error,
 * which ends the JVM and writes the archive. Never used by functions.
 */
public final class Training {
    public Training() {
    }

    /** A POJO of the kinds of properties functions use. */
    public static final class Sample {
        public int x;
        public long id;
        public double ratio;
        public boolean ok;
        public String label;
        public List<String> tags = new ArrayList<>();
        public Map<String, Object> extra;
        public Instant at;
        public LocalDate day;
        public Optional<String> note = Optional.empty();
        public Inner inner;
    }

    /** A nested bean with getters and setters. */
    public static final class Inner {
        private String name;
        private Integer[] counts;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public Integer[] getCounts() {
            return counts;
        }

        public void setCounts(Integer[] counts) {
            this.counts = counts;
        }
    }

    public Sample pojo(Sample s) {
        s.x++;
        s.tags.add("seen");
        s.note = Optional.of("trained");
        return s;
    }

    public Map<String, Object> map(Map<String, Object> event) {
        event.put("seen", Boolean.TRUE);
        return event;
    }

    public String text(String s) {
        return s == null ? null : s.toUpperCase();
    }

    public void stream(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
    }

    static final String POJO_EVENT = "{\"x\":1,\"id\":12345678901,\"ratio\":0.5,\"ok\":true,\"label\":\"p\","
            + "\"tags\":[\"a\",\"b\"],\"extra\":{\"k\":[1,2.5,null,\"s\",{\"n\":false}]},"
            + "\"at\":\"2024-01-02T03:04:05.678Z\",\"day\":\"2024-01-02\",\"note\":\"n\","
            + "\"inner\":{\"name\":\"i\",\"counts\":[1,2]},\"unknown\":1}";

    public static void main(String[] args) throws Throwable {
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        String self = Training.class.getName();
        // Without Jackson (a runtime folder prepared without it) there is no POJO mapping to train.
        boolean pojo = Codec.shared() != null;
        String[][] cases = {
            {self + "::map", "{\"a\":1,\"b\":[true,null,\"x\"],\"c\":{\"d\":1.5}}"},
            {self + "::text", "\"hello\""},
            {self + "::stream", "{\"raw\":true}"},
            {self + "::pojo", POJO_EVENT},
        };
        for (String[] c : cases) {
            if (!pojo && c[0].endsWith("::pojo")) continue;
            Handler h = Handler.load(c[0], loader);
            for (int i = 0; i < 3; i++) h.invoke(c[1].getBytes(StandardCharsets.UTF_8), null);
        }
        if (pojo) {
            try {
                Handler.load(self + "::pojo", loader).invoke("[".getBytes(StandardCharsets.UTF_8), null);
            } catch (Throwable expected) {
                // a malformed event: its mapping error is loaded too
            }
        }
        // Then the Runtime API loop, as a cold start runs it, until the trainer answers /next with an error.
        Bootstrap.main(new String[] {self + (pojo ? "::pojo" : "::map")});
    }
}
