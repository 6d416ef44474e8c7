package io.orchiddb.node.raft;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

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
  @FunctionalInterface
  public interface RecordWriter {
    void write(byte[] record) throws IOException;

    /**
     * Writes a record that {@code body} puts in place; the file's writer puts it straight into its
     * buffer (no array of its own), other writers get it as an array.
     */
    default void write(RecordBody body) throws IOException {
      byte[] record = new byte[body.length()];
      body.writeTo(record, 0);
      write(record);
    }
  }

  /** A record that writes itself: a snapshot of a million keys need not make a million arrays. */
  public interface RecordBody {
    /** The record's size in bytes. */
    int length();

    /** Puts exactly {@link #length} bytes into {@code buf} from {@code offset}. */
    void writeTo(byte[] buf, int offset);
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
    try (FileOutputStream file = new FileOutputStream(tmp.toFile())) {
      Out out = new Out(file);
      out.putBytes(MAGIC);
      out.putInt(FORMAT_VERSION);
      out.putLong(term);
      out.putLong(index);
      source.writeTo(out);
      out.putInt(-1);
      out.putLong(out.count);
      out.putLong(out.checksum());
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
   * The file's write buffer: records go into one array (bodies straight into it), which is
   * checksummed and written when full.
   */
  private static final class Out implements RecordWriter {
    private static final int BUFFER_BYTES = 1 << 18;
    private final FileOutputStream file;
    private final CRC32C crc = new CRC32C();
    private final byte[] buf = new byte[BUFFER_BYTES];
    /** {@link #buf} for ints and longs (big-endian, as {@link DataInputStream} reads them). */
    private final ByteBuffer numbers = ByteBuffer.wrap(buf);
    private int pos;
    long count;

    Out(FileOutputStream file) {
      this.file = file;
    }

    @Override
    public void write(byte[] record) throws IOException {
      if (record.length > RECORD_BYTES_MAX) {
        throw new IOException("snapshot record of " + record.length + " bytes is too large");
      }
      putInt(record.length);
      putBytes(record);
      count++;
    }

    @Override
    public void write(RecordBody body) throws IOException {
      int length = body.length();
      if (length > buf.length) {
        RecordWriter.super.write(body); // larger than the buffer: as an array of its own
        return;
      }
      putInt(length);
      room(length);
      body.writeTo(buf, pos);
      pos += length;
      count++;
    }

    void putInt(int v) throws IOException {
      room(Integer.BYTES);
      numbers.putInt(pos, v);
      pos += Integer.BYTES;
    }

    void putLong(long v) throws IOException {
      room(Long.BYTES);
      numbers.putLong(pos, v);
      pos += Long.BYTES;
    }

    void putBytes(byte[] bytes) throws IOException {
      if (bytes.length > buf.length - pos) {
        flush();
        crc.update(bytes);
        file.write(bytes);
      } else {
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
      }
    }

    /** Makes room for {@code n} bytes (at most the buffer's size). */
    private void room(int n) throws IOException {
      if (buf.length - pos < n) {
        flush();
      }
    }

    /** The CRC32C of everything put so far (written out first). */
    long checksum() throws IOException {
      flush();
      return crc.getValue();
    }

    void flush() throws IOException {
      crc.update(buf, 0, pos);
      file.write(buf, 0, pos);
      pos = 0;
    }
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
