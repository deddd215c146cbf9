package org.lilnet.inference;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class GreyChannelsTest {

    @Test
    void eachPixelGoesThroughTheTableIntoAllThreePlanesAndNothingElseIsTouched() {
        // 2 rows x 3 columns, written as the second image of a batch of three
        byte[] pixels = {0, 1, 2, (byte) 253, (byte) 254, (byte) 255};
        float[] table = new float[256];
        for (int v = 0; v < 256; v++) {
            table[v] = v * 10f;
        }
        int plane = pixels.length;
        FloatBuffer batch = ByteBuffer.allocateDirect(3 * 3 * plane * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < batch.capacity(); i++) {
            batch.put(i, -7f);
        }

        GreyChannels.write(pixels, 3, table, batch, 3 * plane);

        float[] expected = {0f, 10f, 20f, 2530f, 2540f, 2550f};   // row-major, unsigned bytes
        for (int channel = 0; channel < 3; channel++) {
            for (int i = 0; i < plane; i++) {
                assertThat(batch.get(3 * plane + channel * plane + i)).as("channel %d, pixel %d", channel, i).isEqualTo(expected[i]);
            }
        }
        for (int i = 0; i < 3 * plane; i++) {
            assertThat(batch.get(i)).as("image 0 untouched").isEqualTo(-7f);
            assertThat(batch.get(6 * plane + i)).as("image 2 untouched").isEqualTo(-7f);
        }
    }

    @Test
    void sixteenBitValuesAreReadUnsignedThroughTheirTable() {
        short[] values = {0, 1, (short) 40000, -1};   // 1 row x 4; -1 is entry 65535, 40000 does not fit a signed short
        float[] table = new float[1 << 16];
        for (int v = 0; v < table.length; v++) {
            table[v] = v / 2f;
        }
        FloatBuffer batch = ByteBuffer.allocateDirect(3 * values.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();

        GreyChannels.write(values, 4, table, batch, 0);

        float[] all = new float[12];
        batch.get(0, all);
        assertThat(all).containsExactly(0f, 0.5f, 20000f, 32767.5f, 0f, 0.5f, 20000f, 32767.5f, 0f, 0.5f, 20000f, 32767.5f);
    }
}
