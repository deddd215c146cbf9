package org.lilnet.dicom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PixelArraysTest {

    @Test
    void anArrayGivenBackIsTakenAgainForTheSameLengthOnly() {
        PixelArrays arrays = new PixelArrays(2);
        short[] a = arrays.take(16);
        assertThat(a).hasSize(16);
        arrays.giveBack(a);

        assertThat(arrays.take(8)).as("another length: a new array").hasSize(8).isNotSameAs(a);
        assertThat(arrays.take(16)).isSameAs(a);
        assertThat(arrays.take(16)).as("none spare any more").isNotSameAs(a);
    }

    @Test
    void keepsNoMoreSparesThanItsCapacity() {
        PixelArrays arrays = new PixelArrays(2);
        short[] a = new short[4];
        short[] b = new short[4];
        short[] c = new short[4];
        arrays.giveBack(a);
        arrays.giveBack(b);
        arrays.giveBack(c);
        arrays.giveBack(null);

        assertThat(arrays.spares()).isEqualTo(2);
        assertThat(arrays.take(4)).isSameAs(b);
        assertThat(arrays.take(4)).isSameAs(a);
        assertThat(arrays.take(4)).isNotSameAs(c);
        PixelArrays.NONE.giveBack(a);
        assertThat(PixelArrays.NONE.spares()).isZero();
    }
}
