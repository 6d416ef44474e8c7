package io.orchiddb.node.raft;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The on-disk format of a state machine snapshot: a header, length-prefixed records, a record
 * count and a CRC32C of everything before it.
 *
 * <pre>
 *   "ORCHSNAP" (8 bytes) | format version (int) | term (long) | index (long)
 *   { length (int, &ge; 0) | record bytes }*
 *   -1 (int) | record count (long) | CRC32C of all preceding bytes (long)
 * </pre>
 *
 * <p>Writes are atomic: the file is written beside the target as {@code *.tmp}, forced to disk,
 * renamed over the target, and the directory is forced, so after a crash either the whole
 * snapshot or none of it is there. Reads verify the checksum; a torn or altered file fails with
 * {@link CorruptSnapshotException} and is never loaded.
 */
public final class SnapshotFile {
  private static final byte[] MAGIC = {'O', 'R', 'C', 'H', 'S', 'N', 'A', 'P'};
  private static final int FORMAT_VERSION = 1;
  /** A single record may not exceed this: bounds what a corrupt length can make us allocate. */
  static final int RECORD_BYTES_MAX = 64 * 1024 * 1024;

  private SnapshotFile() {}

  /** Writes the records a {@link RecordWriter} produces. */
  @FunctionalInterface
  public interface RecordSource {
    void writeTo(RecordWriter out) throws IOException;
  }

  /** Receives records while a snapshot is written. */
  public interface RecordWriter {
    void write(byte[] record) throws IOException;
  }

  /** Receives records while a snapshot is read. */
  @FunctionalInterface
  public interface RecordReader {
    void read(byte[] record) throws IOException;
  }

  public record Header(long term, long index) {}

  /** Atomically writes a snapshot to {@code target}, replacing any file there. */
  public static void write(Path target, long term, long index, RecordSource source)
      throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    CRC32C crc = new CRC32C();
    try (FileOutputStream file = new FileOutputStream(tmp.toFile());
        DataOutputStream out =
            new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(file, crc), 1 << 16))) {
      out.write(MAGIC);
      out.writeInt(FORMAT_VERSION);
      out.writeLong(term);
      out.writeLong(index);
      long[] count = {0};
      source.writeTo(record -> {
        if (record.length > RECORD_BYTES_MAX) {
          throw new IOException("snapshot record of " + record.length + " bytes is too large");
        }
        out.writeInt(record.length);
        out.write(record);
        count[0]++;
      });
      out.writeInt(-1);
      out.writeLong(count[0]);
      out.flush();
      long sum = crc.getValue();
      out.writeLong(sum);
      out.flush();
      file.getFD().sync();
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * Reads a snapshot, handing each record to {@code reader} as it goes, then verifies the
   * checksum. On {@link CorruptSnapshotException} the caller must discard whatever the reader
   * built.
   */
  public static Header read(Path file, RecordReader reader) throws IOException {
    CRC32C crc = new CRC32C();
    try (InputStream raw = Files.newInputStream(file);
        CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw, 1 << 16), crc);
        DataInputStream in = new DataInputStream(checked)) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new CorruptSnapshotException(file, "not a snapshot file (bad magic)");
      }
      int version = in.readInt();
      if (version != FORMAT_VERSION) {
        throw new CorruptSnapshotException(file, "unknown format version " + version);
      }
      Header header = new Header(in.readLong(), in.readLong());
      long count = 0;
      for (int length = in.readInt(); length != -1; length = in.readInt()) {
        if (length < 0 || length > RECORD_BYTES_MAX) {
          throw new CorruptSnapshotException(file, "bad record length " + length);
        }
        byte[] record = new byte[length];
        in.readFully(record);
        reader.read(record);
        count++;
      }
      long storedCount = in.readLong();
      long expected = crc.getValue();
      long stored = in.readLong();
      if (stored != expected) {
        throw new CorruptSnapshotException(file, "checksum mismatch");
      }
      if (storedCount != count) {
        throw new CorruptSnapshotException(file, "record count " + count + " != " + storedCount);
      }
      if (in.read() != -1) {
        throw new CorruptSnapshotException(file, "trailing bytes after the checksum");
      }
      return header;
    } catch (EOFException e) {
      throw new CorruptSnapshotException(file, "truncated");
    } catch (RuntimeException e) {
      // A record that does not decode is corruption that happened to pass through the framing.
      throw new CorruptSnapshotException(file, "bad record: " + e.getMessage());
    }
  }

  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** A snapshot file failed its integrity checks. */
  public static final class CorruptSnapshotException extends IOException {
    public CorruptSnapshotException(Path file, String reason) {
      super("corrupt snapshot " + file + ": " + reason);
    }
  }
}
