package io.orchiddb.jepsen.history;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON form of one {@link Op}: a flat object of the fields {@code index, process, type, f,
 * key, value, expected, version, elements, time, error}, absent when null. {@code type} and
 * {@code f} are lower case enum names ({@code "ok"}, {@code "read_all"}).
 *
 * <p>The parser accepts exactly this shape (any field order, whitespace, {@code null} for an
 * absent field) and rejects anything else with IllegalArgumentException: unknown or duplicate
 * fields, nested objects, fractions and exponents. Hand-written to keep the suite free of a JSON
 * library; the format is small.
 */
final class JsonLines {
  private JsonLines() {}

  static String format(Op op) {
    StringBuilder s = new StringBuilder(128);
    s.append("{\"index\":").append(op.index());
    s.append(",\"process\":").append(op.process());
    s.append(",\"type\":\"").append(op.type().name().toLowerCase(Locale.ROOT)).append('"');
    s.append(",\"f\":\"").append(op.f().name().toLowerCase(Locale.ROOT)).append('"');
    s.append(",\"key\":");
    appendString(s, op.key());
    appendNumber(s, "value", op.value());
    appendNumber(s, "expected", op.expected());
    appendNumber(s, "version", op.version());
    if (op.elements() != null) {
      s.append(",\"elements\":[");
      boolean first = true;
      for (long e : op.elements()) {
        s.append(first ? "" : ",").append(e);
        first = false;
      }
      s.append(']');
    }
    s.append(",\"time\":").append(op.timeNanos());
    if (op.error() != null) {
      s.append(",\"error\":");
      appendString(s, op.error());
    }
    return s.append('}').toString();
  }

  private static void appendNumber(StringBuilder s, String name, Long n) {
    if (n != null) {
      s.append(",\"").append(name).append("\":").append(n);
    }
  }

  private static void appendString(StringBuilder s, String text) {
    s.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        case '\n' -> s.append("\\n");
        case '\r' -> s.append("\\r");
        case '\t' -> s.append("\\t");
        default -> {
          if (c < 0x20) {
            s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            s.append(c);
          }
        }
      }
    }
    s.append('"');
  }

  static Op parse(String line) {
    return new Parser(line).op();
  }

  /** A cursor over one line. */
  private static final class Parser {
    private final String text;
    private int at;
    private final Set<String> seen = new HashSet<>();
    private Long index;
    private Long process;
    private OpType type;
    private Fn f;
    private String key;
    private Long value;
    private Long expected;
    private Long version;
    private Set<Long> elements;
    private Long time;
    private String error;

    Parser(String text) {
      this.text = text;
    }

    Op op() {
      expect('{');
      if (!tryConsume('}')) {
        do {
          String name = string();
          if (!seen.add(name)) {
            throw error("duplicate field \"" + name + "\"");
          }
          expect(':');
          field(name);
        } while (tryConsume(','));
        expect('}');
      }
      skipSpace();
      if (at != text.length()) {
        throw error("trailing characters");
      }
      return new Op(required(index, "index"), Math.toIntExact(required(process, "process")), required(type, "type"),
          required(f, "f"), required(key, "key"), value, expected, version, elements, required(time, "time"), error);
    }

    private void field(String name) {
      if (tryLiteral("null")) {
        return;
      }
      switch (name) {
        case "index" -> index = number();
        case "process" -> process = number();
        case "type" -> type = OpType.valueOf(string().toUpperCase(Locale.ROOT));
        case "f" -> f = Fn.valueOf(string().toUpperCase(Locale.ROOT));
        case "key" -> key = string();
        case "value" -> value = number();
        case "expected" -> expected = number();
        case "version" -> version = number();
        case "elements" -> elements = numbers();
        case "time" -> time = number();
        case "error" -> error = string();
        default -> throw error("unknown field \"" + name + "\"");
      }
    }

    private <T> T required(T field, String name) {
      if (field == null) {
        throw error("missing field \"" + name + "\"");
      }
      return field;
    }

    private Set<Long> numbers() {
      Set<Long> result = new TreeSet<>();
      expect('[');
      if (!tryConsume(']')) {
        do {
          result.add(number());
        } while (tryConsume(','));
        expect(']');
      }
      return result;
    }

    private long number() {
      skipSpace();
      int start = at;
      if (at < text.length() && text.charAt(at) == '-') {
        at++;
      }
      while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
        at++;
      }
      if (at == start || (at == start + 1 && text.charAt(start) == '-')) {
        throw error("expected a number");
      }
      return Long.parseLong(text.substring(start, at));
    }

    private String string() {
      expect('"');
      StringBuilder s = new StringBuilder();
      while (true) {
        if (at >= text.length()) {
          throw error("unterminated string");
        }
        char c = text.charAt(at++);
        if (c == '"') {
          return s.toString();
        }
        if (c != '\\') {
          s.append(c);
          continue;
        }
        if (at >= text.length()) {
          throw error("unterminated escape");
        }
        char e = text.charAt(at++);
        switch (e) {
          case '"', '\\', '/' -> s.append(e);
          case 'b' -> s.append('\b');
          case 'f' -> s.append('\f');
          case 'n' -> s.append('\n');
          case 'r' -> s.append('\r');
          case 't' -> s.append('\t');
          case 'u' -> {
            if (at + 4 > text.length()) {
              throw error("short \\u escape");
            }
            s.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
            at += 4;
          }
          default -> throw error("bad escape \\" + e);
        }
      }
    }

    private void expect(char c) {
      if (!tryConsume(c)) {
        throw error("expected '" + c + "'");
      }
    }

    private boolean tryConsume(char c) {
      skipSpace();
      if (at < text.length() && text.charAt(at) == c) {
        at++;
        return true;
      }
      return false;
    }

    private boolean tryLiteral(String literal) {
      skipSpace();
      if (text.startsWith(literal, at)) {
        at += literal.length();
        return true;
      }
      return false;
    }

    private void skipSpace() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    private IllegalArgumentException error(String message) {
      return new IllegalArgumentException(message + " at column " + (at + 1));
    }
  }
}
