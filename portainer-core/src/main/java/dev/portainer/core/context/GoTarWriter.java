package dev.portainer.core.context;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a tar stream byte for byte as Go's {@code archive/tar} writes the headers the Docker CLI makes for a build
 * context (moby's {@code archive.FileInfoHeader}: PAX format allowed, USTAR whenever it can hold the entry). Names and
 * link targets are byte strings ({@link GoString}), written as they are. Owners are always 0:0 with no user or group
 * name, as {@code docker build} sends them.
 *
 * <p>commons-compress cannot do this: it encodes names from Java strings and writes its own number and checksum
 * formats, so a name that is not UTF-8 could not travel as bytes and the stream could not be compared with the
 * CLI's.
 */
final class GoTarWriter {
    static final byte REGULAR = '0';
    static final byte HARD_LINK = '1';
    static final byte SYMLINK = '2';
    static final byte CHAR_DEVICE = '3';
    static final byte BLOCK_DEVICE = '4';
    static final byte DIRECTORY = '5';
    static final byte FIFO = '6';
    private static final byte PAX_HEADER = 'x';

    private static final int BLOCK = 512;
    private static final int NAME_SIZE = 100;
    private static final int PREFIX_SIZE = 155;
    private static final byte[] ZEROS = new byte[BLOCK];

    /** One entry's header: what moby puts in a {@code tar.Header} for a file of the context. */
    record Header(byte type, String name, String linkName, long mode, long size, long modTime, long devMajor,
                  long devMinor) {
        static Header of(byte type, String name, long mode, long modTime) {
            return new Header(type, name, "", mode, 0, modTime, 0, 0);
        }

        Header withSize(long newSize) {
            return new Header(type, name, linkName, mode, newSize, modTime, devMajor, devMinor);
        }

        Header withLink(byte newType, String target) {
            return new Header(newType, name, target, mode, 0, modTime, devMajor, devMinor);
        }
    }

    private final OutputStream out;
    private final byte[] block = new byte[BLOCK];
    private long remaining;
    private int padding;
    private long written;

    GoTarWriter(OutputStream out) {
        this.out = out;
    }

    /** Starts an entry; its content ({@code size} bytes for a regular file, none otherwise) follows by write. */
    void putHeader(Header h) throws IOException {
        finishEntry();
        Map<String, String> pax = new TreeMap<>();
        boolean ustar = true;
        if (!GoString.isAscii(h.name()) || h.name().length() > NAME_SIZE) {
            pax.put("path", h.name());
            ustar &= splitUstarPath(h.name()) != null;
        }
        if (!GoString.isAscii(h.linkName()) || h.linkName().length() > NAME_SIZE) {
            pax.put("linkpath", h.linkName());
            ustar = false;
        }
        if (!fitsInOctal(12, h.size())) {
            pax.put("size", Long.toString(h.size()));
            ustar = false;
        }
        if (!fitsInOctal(12, h.modTime())) {
            pax.put("mtime", Long.toString(h.modTime()));
            ustar = false;
        }
        if (!fitsInOctal(8, h.mode()) || !fitsInOctal(8, h.devMajor()) || !fitsInOctal(8, h.devMinor())) {
            throw new IOException("Cannot encode " + GoString.runes(h.name()) + " in a tar header (mode "
                    + Long.toOctalString(h.mode()) + ", device " + h.devMajor() + "," + h.devMinor() + ")");
        }
        if (h.name().indexOf('\0') >= 0 || h.linkName().indexOf('\0') >= 0) {
            throw new IOException("A name in the build context contains a NUL byte: " + GoString.runes(h.name()));
        }
        long size = isHeaderOnly(h.type()) ? 0 : h.size();
        if (ustar) {
            writeUstar(h);
        } else {
            writePax(h, pax);
        }
        remaining = size;
        padding = (int) ((BLOCK - size % BLOCK) % BLOCK);
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (len > remaining) {
            throw new IOException("tar entry content is longer than its header says (" + remaining + " bytes left)");
        }
        out.write(b, off, len);
        remaining -= len;
        written += len;
    }

    /** Ends the archive with Go's trailer: two zero blocks. Does not close the stream. */
    void finish() throws IOException {
        finishEntry();
        out.write(ZEROS);
        out.write(ZEROS);
        written += 2 * BLOCK;
    }

    /** Ends the last entry (its padding) and writes no trailer. Does not close the stream. */
    void finishWithoutTrailer() throws IOException {
        finishEntry();
    }

    /** Bytes of tar written so far (headers, content, padding). */
    long bytesWritten() {
        return written;
    }

    private void finishEntry() throws IOException {
        if (remaining != 0) {
            throw new IOException("tar entry content is " + remaining + " bytes shorter than its header says");
        }
        out.write(ZEROS, 0, padding);
        written += padding;
        padding = 0;
    }

    private void writeUstar(Header h) throws IOException {
        String name = h.name();
        String prefix = "";
        String[] split = splitUstarPath(name);
        if (split != null) {
            prefix = split[0];
            name = split[1];
        }
        template(h, name, h.linkName(), h.size(), h.modTime());
        string(345, PREFIX_SIZE, prefix);
        writeBlock();
    }

    private void writePax(Header h, Map<String, String> records) throws IOException {
        StringBuilder data = new StringBuilder();
        records.forEach((key, value) -> data.append(paxRecord(key, value)));
        // Go names the extended header after the entry: path.Join(dir, "PaxHeaders.0", file).
        int slash = h.name().lastIndexOf('/', h.name().length() - 1);
        String dir = h.name().substring(0, slash + 1);
        String file = h.name().substring(slash + 1);
        String paxName = GoPath.clean(dir + "PaxHeaders.0" + (file.isEmpty() ? "" : "/" + file));
        paxName = toAscii(paxName);
        if (paxName.length() > NAME_SIZE) {
            paxName = paxName.substring(0, NAME_SIZE);
        }
        paxName = stripTrailingSlashes(paxName);
        byte[] content = GoString.bytes(data.toString());
        Arrays.fill(block, (byte) 0);
        block[156] = PAX_HEADER;
        string(0, NAME_SIZE, paxName);
        octal(100, 8, 0);
        octal(108, 8, 0);
        octal(116, 8, 0);
        octal(124, 12, content.length);
        octal(136, 12, 0);
        writeBlock();
        out.write(content);
        int pad = (BLOCK - content.length % BLOCK) % BLOCK;
        out.write(ZEROS, 0, pad);
        written += content.length + pad;

        // The main header holds what fits; Go's formatter writes 0 for numbers that do not.
        long size = fitsInOctal(12, h.size()) ? h.size() : 0;
        long modTime = fitsInOctal(12, h.modTime()) ? h.modTime() : 0;
        template(h, toAscii(h.name()), toAscii(h.linkName()), size, modTime);
        writeBlock();
    }

    private void template(Header h, String name, String linkName, long size, long modTime) {
        Arrays.fill(block, (byte) 0);
        string(0, NAME_SIZE, name);
        octal(100, 8, h.mode());
        octal(108, 8, 0);
        octal(116, 8, 0);
        octal(124, 12, size);
        octal(136, 12, modTime);
        block[156] = h.type();
        string(157, NAME_SIZE, linkName);
        octal(329, 8, h.devMajor());
        octal(337, 8, h.devMinor());
    }

    private void writeBlock() throws IOException {
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, block, 257, 6);
        block[263] = '0';
        block[264] = '0';
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : block[i] & 0xFF;
        }
        octal(148, 7, sum);
        block[155] = ' ';
        out.write(block);
        written += BLOCK;
    }

    // Go's formatString: as much as fits, NUL-terminated when there is room; when the value was cut and the cut
    // ends in '/', the first of those trailing slashes becomes NUL (some readers take such a file for a directory).
    private void string(int offset, int length, String value) {
        int n = Math.min(length, value.length());
        for (int i = 0; i < n; i++) {
            block[offset + i] = (byte) value.charAt(i);
        }
        if (n < length) {
            block[offset + n] = 0;
        } else if (value.length() > length && value.charAt(length - 1) == '/') {
            block[offset + stripTrailingSlashes(value.substring(0, length)).length()] = 0;
        }
    }

    // Go's formatOctal: zero-padded octal digits, leaving room for a terminating NUL.
    private void octal(int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        StringBuilder s = new StringBuilder();
        for (int i = digits.length(); i < length - 1; i++) {
            s.append('0');
        }
        string(offset, length, s.append(digits).toString());
    }

    private static boolean fitsInOctal(int fieldLength, long value) {
        int bits = (fieldLength - 1) * 3;
        return value >= 0 && (fieldLength >= 22 || value < 1L << bits);
    }

    private static boolean isHeaderOnly(byte type) {
        return type == HARD_LINK || type == SYMLINK || type == CHAR_DEVICE || type == BLOCK_DEVICE
                || type == DIRECTORY || type == FIFO;
    }

    // Go's splitUSTARPath: {prefix, name} when a long ASCII name can be split at a slash, else null.
    private static String[] splitUstarPath(String name) {
        int length = name.length();
        if (length <= NAME_SIZE || !GoString.isAscii(name)) {
            return null;
        }
        if (length > PREFIX_SIZE + 1) {
            length = PREFIX_SIZE + 1;
        } else if (name.charAt(length - 1) == '/') {
            length--;
        }
        int i = name.lastIndexOf('/', length - 1);
        int suffix = name.length() - i - 1;
        if (i <= 0 || suffix > NAME_SIZE || suffix == 0 || i > PREFIX_SIZE) {
            return null;
        }
        return new String[] {name.substring(0, i), name.substring(i + 1)};
    }

    // Go's formatPAXRecord: "%d %s=%s\n" whose length counts itself.
    private static String paxRecord(String key, String value) {
        int size = key.length() + value.length() + 3;
        size += Integer.toString(size).length();
        String record = size + " " + key + "=" + value + "\n";
        if (record.length() != size) {
            record = record.length() + " " + key + "=" + value + "\n";
        }
        return record;
    }

    private static String toAscii(String goString) {
        if (GoString.isAscii(goString)) {
            return goString;
        }
        StringBuilder out = new StringBuilder(goString.length());
        for (int i = 0; i < goString.length(); i++) {
            char c = goString.charAt(i);
            if (c < 0x80 && c != 0) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String stripTrailingSlashes(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end);
    }
}
