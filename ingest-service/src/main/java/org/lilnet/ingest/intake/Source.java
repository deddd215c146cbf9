package org.lilnet.ingest.intake;

/**
 * Where an instance came from, and what the protocol already told us about it.
 *
 * @param protocol       "dimse", "stow" or "import"
 * @param peer           for people: "AE 'PACS1' at 10.0.0.5" or "10.0.0.7"
 * @param sopClassUid    the SOP class the C-STORE request announced (null for STOW)
 * @param sopInstanceUid the SOP instance the C-STORE request announced (null for STOW)
 * @param studyUid       the study the STOW request addressed ({@code POST /studies/{study}}), or null
 */
public record Source(String protocol, String peer, String sopClassUid, String sopInstanceUid, String studyUid) {

    public static Source dimse(String callingAe, String host, String sopClassUid, String sopInstanceUid) {
        return new Source("dimse", "AE '" + callingAe + "' at " + host, sopClassUid, sopInstanceUid, null);
    }

    public static Source stow(String peer, String studyUid) {
        return new Source("stow", peer, null, null, studyUid);
    }
}
