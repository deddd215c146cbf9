package org.lilnet.dicom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.LocalTime;

import static org.assertj.core.api.Assertions.assertThat;

class DicomTimesTest {

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "101530, 10:15:30", "101530.25, 10:15:30.25", "101530.123456, 10:15:30.123456", "1015, 10:15", "10, 10:00",
            "10:15:30, 10:15:30", "' 101530 ', 10:15:30", "235960, 23:59:59",
            "'', null", "null, null", "2515, null", "abc, null", "101530.x, null"})
    void parsesTmValues(String text, String expected) {
        assertThat(DicomTimes.parseTime(text)).isEqualTo(expected == null ? null : LocalTime.parse(expected));
    }
}
