package org.lilnet.dicom;

import java.time.LocalTime;

/** Parses DICOM TM values: {@code HHMMSS.FFFFFF}, shorter forms ({@code HHMM}, {@code HH}) and the old {@code HH:MM:SS}. */
public final class DicomTimes {

    private DicomTimes() {
    }

    /** The time, or null when the value is empty or not a time. */
    public static LocalTime parseTime(String value) {
        if (value == null) {
            return null;
        }
        String text = value.trim().replace(":", "");
        if (text.isEmpty()) {
            return null;
        }
        try {
            String whole = text;
            int nanos = 0;
            int dot = text.indexOf('.');
            if (dot >= 0) {
                whole = text.substring(0, dot);
                String fraction = text.substring(dot + 1);
                if (!fraction.isEmpty()) {
                    if (!fraction.matches("[0-9]{1,9}")) {
                        return null;
                    }
                    nanos = Integer.parseInt((fraction + "000000000").substring(0, 9));
                }
            }
            if (!whole.matches("[0-9]{2}([0-9]{2}([0-9]{2})?)?")) {
                return null;
            }
            int hour = Integer.parseInt(whole.substring(0, 2));
            int minute = whole.length() >= 4 ? Integer.parseInt(whole.substring(2, 4)) : 0;
            int second = whole.length() >= 6 ? Integer.parseInt(whole.substring(4, 6)) : 0;
            if (second == 60) {
                second = 59; // a leap second is allowed by the standard
            }
            return LocalTime.of(hour, minute, second, nanos);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
