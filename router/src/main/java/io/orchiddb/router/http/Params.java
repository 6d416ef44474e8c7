package io.orchiddb.router.http;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.orchiddb.api.v1.Absent;
import io.orchiddb.api.v1.Condition;
import io.orchiddb.api.v1.Consistency;
import io.orchiddb.api.v1.SessionToken;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query parameters of one request. Each endpoint names the parameters it knows; an unknown
 * or repeated one is refused (400 naming it), so a typo such as {@code if_verison=3} never turns
 * a conditional write into an unconditional one.
 */
final class Params {
  static final String SESSION = "session";
  static final String SESSION_HEADER = "x-orchid-session";
  static final String CONSISTENCY = "consistency";
  static final String IF_ABSENT = "if_absent";
  static final String IF_VERSION = "if_version";
  static final String IF_VALUE = "if_value";
  static final Set<String> CONDITIONS = Set.of(IF_ABSENT, IF_VERSION, IF_VALUE);

  private final ServiceRequestContext ctx;
  private final QueryParams query;

  private Params(ServiceRequestContext ctx, QueryParams query) {
    this.ctx = ctx;
    this.query = query;
  }

  static Params of(ServiceRequestContext ctx, Set<String> known) {
    QueryParams query = ctx.queryParams();
    for (String name : query.names()) {
      if (!known.contains(name)) {
        throw HttpErrors.badRequest(name, "unknown query parameter; this endpoint takes " + new TreeSet<>(known));
      }
      if (query.getAll(name).size() > 1) {
        throw HttpErrors.badRequest(name, "given more than once");
      }
    }
    return new Params(ctx, query);
  }

  /** The parameter's value, or null when absent. */
  String text(String name) {
    return query.get(name);
  }

  Encoding encoding() {
    return Encoding.parse(text(Encoding.PARAM));
  }

  /** A flag: absent → false; {@code true}, {@code 1} or empty (just {@code ?name}) → true. */
  boolean flag(String name) {
    String v = text(name);
    if (v == null) {
      return false;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "", "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw HttpErrors.badRequest(name, "must be true or false, got '" + v + "'");
    };
  }

  /** A whole number in [min, max], or {@code absent} when the parameter is not given. */
  long whole(String name, long min, long max, long absent) {
    String v = text(name);
    if (v == null) {
      return absent;
    }
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw HttpErrors.badRequest(name, "not a whole number: '" + v + "'");
    }
    if (n < min || n > max) {
      throw HttpErrors.badRequest(name, "must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  Consistency consistency() {
    String v = text(CONSISTENCY);
    if (v == null) {
      return Consistency.STRONG;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "strong" -> Consistency.STRONG;
      case "session" -> Consistency.SESSION;
      case "eventual" -> Consistency.EVENTUAL;
      default -> throw HttpErrors.badRequest(CONSISTENCY, "must be strong, session or eventual, got '" + v + "'");
    };
  }

  /**
   * The session token from the {@value #SESSION_HEADER} header or the {@code session} parameter
   * (at most one of them): URL-safe base64 of the SessionToken message. Empty when neither.
   */
  SessionToken session() {
    String header = ctx.request().headers().get(SESSION_HEADER);
    String param = text(SESSION);
    if (header != null && param != null) {
      throw HttpErrors.badRequest(SESSION, "give the session token once: in the " + SESSION_HEADER
          + " header or the session parameter");
    }
    String token = header != null ? header : param;
    if (token == null || token.isEmpty()) {
      return SessionToken.getDefaultInstance();
    }
    try {
      return SessionToken.parseFrom(Encoding.base64(SESSION, token));
    } catch (InvalidProtocolBufferException e) {
      throw HttpErrors.badRequest(SESSION, "not a session token returned by OrchidDB");
    }
  }

  /** The write condition from {@code if_absent}, {@code if_version} or {@code if_value} (at most one). */
  Condition condition(Encoding encoding) {
    boolean absent = flag(IF_ABSENT);
    long version = whole(IF_VERSION, 0, Long.MAX_VALUE, -1);
    String value = text(IF_VALUE);
    int given = (absent ? 1 : 0) + (version >= 0 ? 1 : 0) + (value != null ? 1 : 0);
    if (given > 1) {
      throw HttpErrors.badRequest(IF_VERSION, "set at most one of if_absent, if_version and if_value");
    }
    Condition.Builder c = Condition.newBuilder();
    if (absent) {
      c.setAbsent(Absent.getDefaultInstance());
    } else if (version >= 0) {
      c.setVersionEquals(version);
    } else if (value != null) {
      c.setValueEquals(encoding.decode(IF_VALUE, value));
    }
    return c.build();
  }

  /** Bytes sent in {@code name} in the request's encoding; empty when absent. */
  ByteString bytes(String name, Encoding encoding) {
    String v = text(name);
    return v == null ? ByteString.EMPTY : encoding.decode(name, v);
  }
}
