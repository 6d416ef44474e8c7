package io.orchiddb.jepsen.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that a history survives a round trip through its JSON Lines file exactly (every field,
 * every op kind, strings that need escaping, extreme numbers), that the format is the documented
 * one, and that malformed lines are rejected with their line number.
 */
class JsonLinesTest {
  @TempDir
  Path dir;

  @Test
  void roundTripsEveryKindOfOp() throws IOException {
    long[] now = {0};
    History history = new History(() -> now[0] += 123_456_789);
    Op r = history.invoke(Op.read(1, "r3"));
    Op w = history.invoke(Op.write(2, "r3", Long.MAX_VALUE));
    history.complete(r, OpType.OK, 7L, 120L, null, null);
    history.complete(w, OpType.INFO, null, null, null, "timeout: \"quoted\" \\ back\nslash\ttab \u0001 \u00e9\u4e2d");
    Op cas = history.invoke(Op.cas(3, "key with \"quotes\"", Long.MIN_VALUE, -5));
    history.complete(cas, OpType.FAIL, null, null, null, "");
    Op add = history.invoke(Op.add(4, "set/9", 9));
    history.complete(add, OpType.OK, 9L, 121L, null, null);
    Op readAll = history.invoke(Op.readAll(5, "set/"));
    history.complete(readAll, OpType.OK, null, null, Set.of(9L, -1L, 0L), null);
    Op empty = history.invoke(Op.readAll(6, "set/"));
    history.complete(empty, OpType.OK, null, null, Set.of(), null);
    history.invoke(Op.read(7, "r3")); // in flight

    Path file = dir.resolve("history.jsonl");
    history.writeJsonLines(file);
    assertThat(History.readJsonLines(file)).isEqualTo(history.ops());
    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).hasSize(history.size());
  }

  @Test
  void writesTheDocumentedFormat() {
    Op ok = new Op(3, 1, OpType.OK, Fn.READ, "r3", 7L, null, 120L, null, 123456789, null);
    assertThat(JsonLines.format(ok))
        .isEqualTo("{\"index\":3,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"r3\",\"value\":7,"
            + "\"version\":120,\"time\":123456789}");
    Op all = new Op(4, 0, OpType.OK, Fn.READ_ALL, "set/", null, null, null, Set.of(2L, 1L), 5, null);
    assertThat(JsonLines.format(all)).isEqualTo(
        "{\"index\":4,\"process\":0,\"type\":\"ok\",\"f\":\"read_all\",\"key\":\"set/\",\"elements\":[1,2],\"time\":5}");
    Op info = new Op(5, 0, OpType.INFO, Fn.CAS, "k", 2L, 1L, null, null, 6, "a\"b\u0002");
    assertThat(JsonLines.format(info)).isEqualTo("{\"index\":5,\"process\":0,\"type\":\"info\",\"f\":\"cas\","
        + "\"key\":\"k\",\"value\":2,\"expected\":1,\"time\":6,\"error\":\"a\\\"b\\u0002\"}");
  }

  @Test
  void readsAnyFieldOrderWhitespaceNullsAndEscapes() {
    Op op = JsonLines.parse(" { \"time\" : 6 , \"error\":\"\\u0041\\/\\n\", \"version\": null, \"key\":\"k\","
        + "\"f\":\"write\",\"type\":\"fail\",\"value\":-2,\"process\":0,\"index\":5 } ");
    assertThat(op).isEqualTo(new Op(5, 0, OpType.FAIL, Fn.WRITE, "k", -2L, null, null, null, 6, "A/\n"));
  }

  @Test
  void rejectsMalformedLinesWithTheirNumber() throws IOException {
    String good = "{\"index\":0,\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\",\"time\":1}";
    for (String bad : List.of(
        "{\"index\":0,\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\"}",              // no time
        good.replace("}", ",\"extra\":1}"),                                                          // unknown
        good.replace("}", ",\"time\":2}"),                                                           // duplicate
        good.replace("\"time\":1", "\"time\":1.5"),                                                  // fraction
        good.replace("\"read\"", "\"scan\""),                                                        // bad f
        good.replace("\"k\"", "\"k"),                                                                // unterminated
        good + "x",                                                                                  // trailing
        good.replace("\"time\":1", "\"time\":99999999999999999999"))) {                             // overflow
      Path file = dir.resolve("bad.jsonl");
      Files.writeString(file, good + "\n\n" + bad + "\n");
      assertThatThrownBy(() -> History.readJsonLines(file)).as(bad).isInstanceOf(IOException.class)
          .hasMessageContaining("bad.jsonl:3: ");
    }
  }
}
