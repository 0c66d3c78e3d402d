package io.tocsin.store.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Segment files of the log: {@code wal/00000001.seg}, numbered from 1, each starting with a header. */
final class Segments {
  /** "TWAL" and format version 1. */
  static final byte[] HEADER = {'T', 'W', 'A', 'L', 1};
  private static final Pattern NAME = Pattern.compile("(\\d{8,19})\\.seg");

  private Segments() {}

  static Path path(Path dir, long number) {
    return dir.resolve(String.format(Locale.ROOT, "%08d.seg", number));
  }

  /** The numbers of the segment files in {@code dir}, ascending. */
  static List<Long> list(Path dir) throws IOException {
    List<Long> numbers = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.seg")) {
      for (Path file : files) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (m.matches()) {
          numbers.add(Long.parseLong(m.group(1)));
        }
      }
    }
    numbers.sort(null);
    return numbers;
  }

  /** Creates segment {@code number} (replacing a leftover of a failed attempt) with its header. */
  static FileChannel create(Path dir, long number) throws IOException {
    FileChannel channel = FileChannel.open(path(dir, number), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    try {
      ByteBuffer header = ByteBuffer.wrap(HEADER);
      while (header.hasRemaining()) {
        channel.write(header);
      }
      return channel;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  /** Forces the directory entry of new or deleted files to disk. */
  static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory for syncing; the files themselves are synced.
    }
  }

}
