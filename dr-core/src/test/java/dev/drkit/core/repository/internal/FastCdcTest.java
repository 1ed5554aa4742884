package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks the chunker against the published FastCDC-2020 reference.
 *
 * <p>The vectors below come from the reference implementation (fastcdc-rs v2020 {@code cut},
 * run unchanged over the xorshift64* stream that {@link #xorshift} generates). The Gear
 * table is checked against entries of the published table, and the all-zeros vector is the
 * one published in fastcdc-rs's own tests.
 */
class FastCdcTest {

    /** min 4096, avg 16384, max 65535, NC 1 over 300,000 bytes of xorshift seed 1. */
    private static final String SEED1_16K_NC1 = "23913:14047013696661138521,29163:2071132754802423040,"
            + "27060:5374488608118457192,17621:4591704130774638013,10126:16920666056287685924,"
            + "4296:9614636279988331150,52231:7529497924060323899,28693:3886923621826363160,"
            + "6422:6443037679218163920,23026:14382892752193526774,36753:5666408284601495860,"
            + "13090:15967020864001634242,9443:11277581090688887094,18163:4799707361144447381";
    /** min 8192, avg 16384, max 32768, NC 2 over 200,000 bytes of xorshift seed 42. */
    private static final String SEED42_16K_NC2 = "21394:17466162002980343248,17422:8100358285373785358,"
            + "19020:10902098147027288638,18544:1503639928767551244,16418:8856405037518195850,"
            + "20411:6168526837768538052,18606:18223822405222025010,13392:6995295355324141466,"
            + "24059:11033580117904895630,19389:12708353470422588142,11345:14527715152322698401";
    /** min 256 KiB, avg 1 MiB, max 8 MiB, NC 1 over 6,000,000 bytes of xorshift seed 3. */
    private static final String SEED3_1M_NC1 = "1202442:15187897511622738334,1168358:3589453363295032846,"
            + "1865235:396038352667445040,1090751:8028271342606354958,673214:2416933047019308629";

    @Test
    void gearTableEqualsThePublishedTable() {
        assertThat(FastCdc.GEAR[0]).isEqualTo(0x3b5d3c7d207e37dcL);
        assertThat(FastCdc.GEAR[1]).isEqualTo(0x784d68ba91123086L);
        assertThat(FastCdc.GEAR[4]).isEqualTo(0xc31f385dfbd1632bL);
        assertThat(FastCdc.GEAR[132]).isEqualTo(0xfca2f406b1c8bb50L);
        assertThat(FastCdc.GEAR[254]).isEqualTo(0xe1d830d3f16c5ddbL);
        assertThat(FastCdc.GEAR[255]).isEqualTo(0xaabd2b2a451504e1L);
    }

    @Test
    void allZerosGiveMaximumChunksWithThePublishedHash() {
        byte[] zeros = new byte[10240];
        FastCdc cdc = new FastCdc(64, 256, 1024, 1);
        long[] hash = new long[1];
        int offset = 0;
        for (int i = 0; i < 10; i++) {
            int length = cdc.cut(zeros, offset, zeros.length - offset, hash);
            assertThat(length).isEqualTo(1024);
            assertThat(Long.toUnsignedString(hash[0])).isEqualTo("14169102344523991076");
            offset += length;
        }
        assertThat(offset).isEqualTo(zeros.length);
    }

    @Test
    void cutPointsEqualTheReferenceAtNormalizationOne() {
        assertThat(chunks(xorshift(1, 300_000), new FastCdc(4096, 16384, 65535, 1))).isEqualTo(SEED1_16K_NC1);
    }

    @Test
    void cutPointsEqualTheReferenceAtNormalizationTwo() {
        assertThat(chunks(xorshift(42, 200_000), new FastCdc(8192, 16384, 32768, 2))).isEqualTo(SEED42_16K_NC2);
    }

    @Test
    void cutPointsEqualTheReferenceWithMegabyteChunks() {
        assertThat(chunks(xorshift(3, 6_000_000), new FastCdc(256 * 1024, 1 << 20, 8 << 20, 1)))
                .isEqualTo(SEED3_1M_NC1);
    }

    @Test
    void streamingChunksEqualInMemoryChunksWhateverTheReadSizes() throws IOException {
        byte[] data = xorshift(9, 3_000_000);
        FastCdc cdc = new FastCdc(4096, 16384, 65536, 1);
        ChunkReader reader = new ChunkReader(cdc);
        reader.reset(trickle(data, new Random(5), 70_000));
        assertThat(streamedLengths(reader, data)).isEqualTo(cutLengths(data, cdc));
        assertThat(reader.bytesRead()).isEqualTo(data.length);
    }

    @Test
    void streamingChunksEqualInMemoryChunksWhileTheReadBufferGrows() throws IOException {
        // With 4 MiB chunks at most, the reader starts with 1 MiB and grows to 8 MiB for a large
        // stream: no cut may fall at the end of the smaller buffer.
        FastCdc cdc = new FastCdc(256 * 1024, 1 << 20, 4 << 20, 1);
        ChunkReader reader = new ChunkReader(cdc);
        Random random = new Random(6);
        for (byte[] data : List.of(xorshift(11, 100_000), xorshift(12, 12_000_000), xorshift(13, 700_000),
                new byte[9 << 20])) {
            reader.reset(trickle(data, random, 3 << 20));
            assertThat(streamedLengths(reader, data)).as("chunks of a %d-byte stream", data.length)
                    .isEqualTo(cutLengths(data, cdc));
        }
    }

    /** The lengths of the chunks {@link FastCdc#cut} finds in data held in memory. */
    private static List<Integer> cutLengths(byte[] data, FastCdc cdc) {
        List<Integer> lengths = new ArrayList<>();
        for (int offset = 0; offset < data.length; ) {
            int length = cdc.cut(data, offset, data.length - offset);
            lengths.add(length);
            offset += length;
        }
        return lengths;
    }

    /** A stream of {@code data} whose reads return between 1 and {@code maxRead} bytes at random. */
    private static InputStream trickle(byte[] data, Random random, int maxRead) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(maxRead)));
            }
        };
    }

    /** Reads every chunk from the reader, checking each against {@code data}; returns their lengths. */
    private static List<Integer> streamedLengths(ChunkReader reader, byte[] data) throws IOException {
        List<Integer> lengths = new ArrayList<>();
        int offset = 0;
        for (byte[] chunk = reader.next(); chunk != null; chunk = reader.next()) {
            assertThat(chunk).isEqualTo(java.util.Arrays.copyOfRange(data, offset, offset + chunk.length));
            lengths.add(chunk.length);
            offset += chunk.length;
        }
        return lengths;
    }

    @Test
    void chunkSizesStayWithinTheLimits() {
        byte[] data = xorshift(11, 4_000_000);
        FastCdc cdc = new FastCdc(4096, 16384, 65536, 2);
        for (int offset = 0; offset < data.length; ) {
            int length = cdc.cut(data, offset, data.length - offset);
            boolean last = offset + length == data.length;
            assertThat(length).isLessThanOrEqualTo(65536);
            if (!last) {
                assertThat(length).isGreaterThanOrEqualTo(4096);
            }
            offset += length;
        }
    }

    @Test
    void sizesOutOfRangeAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new FastCdc(32, 256, 1024, 1)).isInstanceOf(DrException.class)
                .hasMessageContaining("minSize");
        assertThatThrownBy(() -> new FastCdc(64, 256, 128, 1)).isInstanceOf(DrException.class)
                .hasMessageContaining("maxSize");
        assertThatThrownBy(() -> new FastCdc(64, 256, 1024, 4)).isInstanceOf(DrException.class)
                .hasMessageContaining("normalization");
    }

    private static String chunks(byte[] data, FastCdc cdc) {
        StringBuilder out = new StringBuilder();
        long[] hash = new long[1];
        for (int offset = 0; offset < data.length; ) {
            int length = cdc.cut(data, offset, data.length - offset, hash);
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(length).append(':').append(Long.toUnsignedString(hash[0]));
            offset += length;
        }
        return out.toString();
    }

    /** The xorshift64* generator, each 64-bit output written little-endian. */
    static byte[] xorshift(long seed, int n) {
        byte[] out = new byte[n];
        long x = seed;
        int i = 0;
        while (i < n) {
            x ^= x >>> 12;
            x ^= x << 25;
            x ^= x >>> 27;
            long v = x * 0x2545F4914F6CDD1DL;
            for (int k = 0; k < 8 && i < n; k++) {
                out[i++] = (byte) (v >>> (8 * k));
            }
        }
        return out;
    }
}
