package io.orchiddb.node.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that {@link SnapshotFile} round-trips its header and records exactly, writes atomically
 * (no {@code .tmp} left behind, an existing target replaced whole, and nothing published when the
 * record source fails), and that no damaged file is ever accepted: every single-byte change,
 * every truncation, trailing bytes, a bad magic or format version, and a record the reader cannot
 * decode all fail with {@link SnapshotFile.CorruptSnapshotException}.
 *
 * <p>How: real files in a JUnit temporary directory. The corruption cases are exhaustive over a
 * small snapshot: each byte offset is altered (two different ways) and the file is cut at each
 * length from 0 to its size - 1. Files built by hand from the format in the class javadoc (with a
 * valid checksum) pin the on-disk format and reach the checks the checksum would otherwise mask
 * (format version, record count).
 */
class SnapshotFileTest {
  @TempDir Path dir;

  private static final int MAGIC_BYTES = 8;
  private static final int HEADER_BYTES = 8 + 4 + 8 + 8;
  private static final int FOOTER_BYTES = 4 + 8 + 8;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static SnapshotFile.RecordSource recordsOf(List<byte[]> records) {
    return out -> {
      for (byte[] r : records) {
        out.write(r);
      }
    };
  }

  private static List<byte[]> readAll(Path file, long[] headerOut) throws IOException {
    List<byte[]> records = new ArrayList<>();
    SnapshotFile.Header h = SnapshotFile.read(file, records::add);
    if (headerOut != null) {
      headerOut[0] = h.term();
      headerOut[1] = h.index();
    }
    return records;
  }

  private List<String> filesInDir() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private Path sampleSnapshot() throws IOException {
    Path file = dir.resolve("snap");
    SnapshotFile.write(file, 3, 42, recordsOf(List.of(utf8("alpha"), new byte[0], utf8("gamma!"))));
    return file;
  }

  private void assertCorrupt(Path file) {
    assertThatThrownBy(() -> SnapshotFile.read(file, r -> { }))
        .isInstanceOf(SnapshotFile.CorruptSnapshotException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void noRecordsRoundTrip() throws IOException {
    Path file = dir.resolve("snap");
    SnapshotFile.write(file, 1, 0, out -> { });

    long[] header = new long[2];
    assertThat(readAll(file, header)).isEmpty();
    assertThat(header).containsExactly(1, 0);
    assertThat(Files.size(file)).isEqualTo(HEADER_BYTES + FOOTER_BYTES);
  }

  @Test
  void oneRecordRoundTrips() throws IOException {
    Path file = dir.resolve("snap");
    SnapshotFile.write(file, 7, 1234, recordsOf(List.of(utf8("only"))));

    long[] header = new long[2];
    assertThat(readAll(file, header)).containsExactly(utf8("only"));
    assertThat(header).containsExactly(7, 1234);
  }

  @Test
  void manyRecordsIncludingEmptyOnesRoundTripInOrder() throws IOException {
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      byte[] r = new byte[i % 97];
      Arrays.fill(r, (byte) i);
      records.add(r);
    }
    // One record larger than the 256 KiB write buffer.
    byte[] big = new byte[300_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    records.add(big);
    records.add(new byte[0]);
    Path file = dir.resolve("snap");
    SnapshotFile.write(file, Long.MAX_VALUE, Long.MAX_VALUE - 1, recordsOf(records));

    long[] header = new long[2];
    List<byte[]> read = readAll(file, header);
    assertThat(read).hasSize(records.size());
    for (int i = 0; i < records.size(); i++) {
      assertThat(read.get(i)).as("record %s", i).isEqualTo(records.get(i));
    }
    assertThat(header).containsExactly(Long.MAX_VALUE, Long.MAX_VALUE - 1);
  }

  @Test
  void writeLeavesNoTmpFileAndReplacesTheTarget() throws IOException {
    Path file = dir.resolve("snap");
    SnapshotFile.write(file, 1, 10, recordsOf(List.of(utf8("old"), utf8("older"))));
    SnapshotFile.write(file, 2, 20, recordsOf(List.of(utf8("new"))));

    long[] header = new long[2];
    assertThat(readAll(file, header)).containsExactly(utf8("new"));
    assertThat(header).containsExactly(2, 20);
    assertThat(filesInDir()).containsExactly("snap");
  }

  @Test
  void aStaleTmpFileFromACrashIsOverwritten() throws IOException {
    Path file = dir.resolve("snap");
    Files.write(dir.resolve("snap.tmp"), utf8("half a snapshot from before a crash"));
    SnapshotFile.write(file, 1, 10, recordsOf(List.of(utf8("whole"))));
    assertThat(readAll(file, null)).containsExactly(utf8("whole"));
    assertThat(filesInDir()).containsExactly("snap");
  }

  @Test
  void aFailingSourceLeavesNoTargetAndNoTmpFile() {
    Path file = dir.resolve("snap");
    IOException failure = new IOException("disk on fire");
    assertThatThrownBy(() -> SnapshotFile.write(file, 1, 10, out -> {
      out.write(utf8("first"));
      throw failure;
    })).isSameAs(failure);
    assertThat(file).doesNotExist();
    assertThat(dir.resolve("snap.tmp")).doesNotExist();
  }

  @Test
  void aSourceThrowingRuntimeExceptionLeavesNoTargetAndNoTmpFile() throws IOException {
    Path file = dir.resolve("snap");
    assertThatThrownBy(() -> SnapshotFile.write(file, 1, 10, out -> {
      out.write(utf8("first"));
      throw new IllegalStateException("bug");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(filesInDir()).isEmpty();
  }

  @Test
  void aFailingSourceLeavesAnExistingTargetUntouched() throws IOException {
    Path file = sampleSnapshot();
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(() -> SnapshotFile.write(file, 9, 99, out -> {
      out.write(utf8("partial"));
      throw new IOException("disk on fire");
    })).isInstanceOf(IOException.class);
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(filesInDir()).containsExactly("snap");
  }

  @Test
  void anOversizedRecordFailsTheWrite() {
    Path file = dir.resolve("snap");
    byte[] huge = new byte[SnapshotFile.RECORD_BYTES_MAX + 1];
    assertThatThrownBy(() -> SnapshotFile.write(file, 1, 10, out -> out.write(huge)))
        .isInstanceOf(IOException.class).hasMessageContaining("too large");
    assertThat(file).doesNotExist();
    assertThat(dir.resolve("snap.tmp")).doesNotExist();
  }

  @Test
  void everySingleByteChangeIsDetected() throws IOException {
    Path file = sampleSnapshot();
    byte[] good = Files.readAllBytes(file);
    Path bad = dir.resolve("bad");
    for (int i = 0; i < good.length; i++) {
      for (int mask : new int[] {0xFF, 0x01}) {
        byte[] damaged = good.clone();
        damaged[i] ^= (byte) mask;
        Files.write(bad, damaged);
        int offset = i;
        assertThatThrownBy(() -> SnapshotFile.read(bad, r -> { }))
            .as("byte %s of %s xor 0x%s", offset, good.length, Integer.toHexString(mask))
            .isInstanceOf(SnapshotFile.CorruptSnapshotException.class);
      }
    }
  }

  @Test
  void everyTruncationIsDetected() throws IOException {
    Path file = sampleSnapshot();
    byte[] good = Files.readAllBytes(file);
    Path bad = dir.resolve("bad");
    for (int length = 0; length < good.length; length++) {
      Files.write(bad, Arrays.copyOf(good, length));
      int cut = length;
      assertThatThrownBy(() -> SnapshotFile.read(bad, r -> { }))
          .as("cut at %s of %s", cut, good.length)
          .isInstanceOf(SnapshotFile.CorruptSnapshotException.class);
    }
  }

  @Test
  void trailingBytesAreDetected() throws IOException {
    Path file = sampleSnapshot();
    byte[] good = Files.readAllBytes(file);
    for (byte[] tail : new byte[][] {{0}, {-1, -1, -1, -1}, good}) {
      byte[] longer = Arrays.copyOf(good, good.length + tail.length);
      System.arraycopy(tail, 0, longer, good.length, tail.length);
      Files.write(file, longer);
      assertCorrupt(file);
    }
  }

  @Test
  void badMagicIsDetected() throws IOException {
    Path file = sampleSnapshot();
    byte[] bytes = Files.readAllBytes(file);
    System.arraycopy(utf8("ORCHSNAQ"), 0, bytes, 0, MAGIC_BYTES);
    Files.write(file, bytes);
    assertThatThrownBy(() -> SnapshotFile.read(file, r -> { }))
        .isInstanceOf(SnapshotFile.CorruptSnapshotException.class).hasMessageContaining("magic");
  }

  @Test
  void aFileOfAnotherKindIsDetected() throws IOException {
    Path file = dir.resolve("snap");
    Files.write(file, utf8("{\"this\": \"is json, not a snapshot\"}"));
    assertCorrupt(file);
  }

  @Test
  void anEmptyFileIsDetected() throws IOException {
    Path file = dir.resolve("snap");
    Files.write(file, new byte[0]);
    assertCorrupt(file);
  }

  @Test
  void aReaderThatCannotDecodeARecordReportsCorruption() throws IOException {
    Path file = sampleSnapshot();
    assertThatThrownBy(() -> SnapshotFile.read(file, r -> {
      if (r.length == 0) {
        throw new IllegalArgumentException("empty record");
      }
    })).isInstanceOf(SnapshotFile.CorruptSnapshotException.class).hasMessageContaining("empty record");
  }

  /** A snapshot built byte by byte from the format in the class javadoc, checksum included. */
  private static byte[] handBuilt(int version, long count, List<byte[]> records) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(utf8("ORCHSNAP"));
    out.writeInt(version);
    out.writeLong(5);
    out.writeLong(77);
    for (byte[] r : records) {
      out.writeInt(r.length);
      out.write(r);
    }
    out.writeInt(-1);
    out.writeLong(count);
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeLong(crc.getValue());
    return bytes.toByteArray();
  }

  /** A record given as a {@link SnapshotFile.RecordBody}: it writes a copy of {@code bytes}. */
  private static SnapshotFile.RecordBody body(byte[] bytes) {
    return new SnapshotFile.RecordBody() {
      @Override
      public int length() {
        return bytes.length;
      }

      @Override
      public void writeTo(byte[] buf, int offset) {
        System.arraycopy(bytes, 0, buf, offset, bytes.length);
      }
    };
  }

  /**
   * Records given as arrays and as bodies, small ones by the thousand (so lengths and records fall
   * across the write buffer's edges) and two larger than the buffer, make exactly the documented
   * bytes.
   */
  @Test
  void bodiesAndArraysAcrossBufferEdgesMakeTheDocumentedFormat() throws IOException {
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      byte[] r = new byte[(i * 37) % 211];
      Arrays.fill(r, (byte) (i * 7));
      records.add(r);
      if (i == 7_000 || i == 13_000) {
        byte[] big = new byte[300_000 + i];
        Arrays.fill(big, (byte) i);
        records.add(big);
      }
    }
    Path file = dir.resolve("snap");
    SnapshotFile.write(file, 5, 77, out -> {
      for (int i = 0; i < records.size(); i++) {
        if (i % 3 == 0) {
          out.write(records.get(i));
        } else {
          out.write(body(records.get(i)));
        }
      }
    });
    assertThat(Files.readAllBytes(file)).isEqualTo(handBuilt(1, records.size(), records));
  }

  @Test
  void theOnDiskFormatIsTheDocumentedOne() throws IOException {
    List<byte[]> records = List.of(utf8("alpha"), new byte[0], utf8("gamma!"));
    Path file = dir.resolve("snap");
    SnapshotFile.write(file, 5, 77, recordsOf(records));
    // Byte for byte what the javadoc describes, so old snapshots stay readable.
    assertThat(Files.readAllBytes(file)).isEqualTo(handBuilt(1, 3, records));

    Path hand = dir.resolve("hand");
    Files.write(hand, handBuilt(1, 3, records));
    long[] header = new long[2];
    assertThat(readAll(hand, header)).containsExactly(utf8("alpha"), new byte[0], utf8("gamma!"));
    assertThat(header).containsExactly(5, 77);
  }

  @Test
  void aWrongRecordCountIsDetectedEvenWithAValidChecksum() throws IOException {
    Path file = dir.resolve("snap");
    Files.write(file, handBuilt(1, 2, List.of(utf8("alpha"), utf8("beta"), utf8("gamma"))));
    assertThatThrownBy(() -> SnapshotFile.read(file, r -> { }))
        .isInstanceOf(SnapshotFile.CorruptSnapshotException.class).hasMessageContaining("record count");
  }

  @Test
  void anUnknownFormatVersionIsDetected() throws IOException {
    Path file = dir.resolve("snap");
    Files.write(file, handBuilt(2, 1, List.of(utf8("alpha"))));
    assertThatThrownBy(() -> SnapshotFile.read(file, r -> { }))
        .isInstanceOf(SnapshotFile.CorruptSnapshotException.class).hasMessageContaining("version 2");
  }

  @Test
  void anAbsentFileIsNotReportedAsCorrupt() {
    // A missing file is an operating error, not damage: it must not be moved aside as corrupt.
    assertThatThrownBy(() -> SnapshotFile.read(dir.resolve("absent"), r -> { }))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(SnapshotFile.CorruptSnapshotException.class);
  }
}
