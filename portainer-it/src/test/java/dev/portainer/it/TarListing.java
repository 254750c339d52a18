package dev.portainer.it;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Reads a tar stream (what {@code docker export} writes) into one {@link Entry} per file, keeping names and link
 * targets as the bytes they are. A small reader of its own rather than commons-compress: that one decodes PAX
 * {@code path} records as UTF-8, which turns a non-UTF-8 name such as {@code caf\xe9.txt} into U+FFFD, so two
 * different names would compare equal.
 */
final class TarListing {
    private static final int BLOCK = 512;
    private static final int KEPT_TEXT = 4096;

    /**
     * One file of the archive. {@code name} and {@code link} hold one char per byte (ISO-8859-1 is a lossless
     * byte-to-char mapping), so that they compare as bytes.
     *
     * @param type   the tar type flag: '0' file, '1' hard link, '2' symlink, '3' char device, '4' block device,
     *               '5' directory, '6' FIFO
     * @param mode   permission bits with setuid, setgid and sticky (07777)
     * @param sha256 of a regular file's content; "" for anything else
     * @param mtime  seconds since the epoch (rounded down)
     * @param text   a small regular file's content, one char per byte, for the comparisons that must look inside;
     *               null for anything else
     */
    record Entry(String name, char type, int mode, long uid, long gid, long size, String sha256, String link,
                 long mtime, String text) {
        /** The name for people: printable ASCII as is, any other byte as \xNN. */
        String shownName() {
            return show(name);
        }
    }

    private TarListing() {
    }

    static List<Entry> read(InputStream in) throws IOException {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> pax = new HashMap<>();
        String longName = null;
        String longLink = null;
        byte[] header = new byte[BLOCK];
        while (true) {
            if (!readBlock(in, header)) {
                return entries; // end of stream without the two zero blocks: tolerated, as tar does
            }
            if (allZero(header)) {
                return entries;
            }
            char type = (char) (header[156] == 0 ? '0' : header[156]);
            long size = number(header, 124, 12);
            switch (type) {
                case 'x' -> {
                    pax.putAll(paxRecords(readContent(in, size)));
                    continue;
                }
                case 'g' -> {
                    readContent(in, size); // global PAX headers: docker does not write them
                    continue;
                }
                case 'L' -> {
                    longName = cString(readContent(in, size), 0, (int) size);
                    continue;
                }
                case 'K' -> {
                    longLink = cString(readContent(in, size), 0, (int) size);
                    continue;
                }
                default -> {
                }
            }
            String name = cString(header, 0, 100);
            boolean posix = cString(header, 257, 6).equals("ustar");
            String prefix = posix ? cString(header, 345, 155) : "";
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            if (longName != null) {
                name = longName;
            }
            String link = longLink != null ? longLink : cString(header, 157, 100);
            long uid = number(header, 108, 8);
            long gid = number(header, 116, 8);
            long mtime = number(header, 136, 12);
            if (pax.containsKey("path")) {
                name = pax.get("path");
            }
            if (pax.containsKey("linkpath")) {
                link = pax.get("linkpath");
            }
            if (pax.containsKey("size")) {
                size = Long.parseLong(pax.get("size"));
            }
            if (pax.containsKey("uid")) {
                uid = Long.parseLong(pax.get("uid"));
            }
            if (pax.containsKey("gid")) {
                gid = Long.parseLong(pax.get("gid"));
            }
            if (pax.containsKey("mtime")) {
                mtime = new BigDecimal(pax.get("mtime")).setScale(0, RoundingMode.FLOOR).longValueExact();
            }
            boolean regular = type == '0' || type == '7';
            String sha256 = "";
            String text = null;
            if (regular && size <= KEPT_TEXT) {
                byte[] content = readContent(in, size);
                sha256 = sha256(content);
                text = new String(content, StandardCharsets.ISO_8859_1);
            } else if (regular) {
                sha256 = hashContent(in, size);
            } else {
                skipContent(in, size);
            }
            entries.add(new Entry(canonical(name), type, (int) (number(header, 100, 8) & 07777), uid, gid,
                    regular ? size : 0, sha256, link, mtime, text));
            pax.clear();
            longName = null;
            longLink = null;
        }
    }

    /** Printable ASCII as is, any other byte as \xNN (a name is one char per byte, see {@link Entry}). */
    static String show(String bytes) {
        StringBuilder out = new StringBuilder();
        for (char c : bytes.toCharArray()) {
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\x%02x", (int) c));
            }
        }
        return out.toString();
    }

    // Without "./" in front and "/" behind, so that "ctx/" and "./ctx" are one directory.
    private static String canonical(String name) {
        String n = name.startsWith("./") ? name.substring(2) : name;
        while (n.length() > 1 && n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n;
    }

    private static Map<String, String> paxRecords(byte[] data) {
        Map<String, String> records = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            if (space >= data.length) {
                break;
            }
            int length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            int equals = space + 1;
            while (data[equals] != '=') {
                equals++;
            }
            String key = new String(data, space + 1, equals - space - 1, StandardCharsets.ISO_8859_1);
            // the record ends with '\n', which is not part of the value
            String value = new String(data, equals + 1, pos + length - 1 - (equals + 1), StandardCharsets.ISO_8859_1);
            records.put(key, value);
            pos += length;
        }
        return records;
    }

    // Octal, or base-256 (a set high bit; two's complement, so negative times too) for values octal cannot hold.
    private static long number(byte[] header, int offset, int length) {
        if ((header[offset] & 0x80) != 0) {
            byte[] field = Arrays.copyOfRange(header, offset, offset + length);
            if (field[0] == (byte) 0x80) {
                field[0] = 0;
            }
            return new BigInteger(field).longValue();
        }
        String text = cString(header, offset, length).trim();
        return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    }

    private static String cString(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.ISO_8859_1);
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw new EOFException("truncated tar header");
        }
        return true;
    }

    private static byte[] readContent(InputStream in, long size) throws IOException {
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw new EOFException("truncated tar entry");
        }
        in.skipNBytes(padding(size));
        return data;
    }

    /** The hex SHA-256 of {@code bytes}. */
    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String hashContent(InputStream in, long size) throws IOException {
        MessageDigest sha256 = newSha256();
        byte[] buffer = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("truncated tar entry");
            }
            sha256.update(buffer, 0, n);
            left -= n;
        }
        in.skipNBytes(padding(size));
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static void skipContent(InputStream in, long size) throws IOException {
        in.skipNBytes(size + padding(size));
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }
}
