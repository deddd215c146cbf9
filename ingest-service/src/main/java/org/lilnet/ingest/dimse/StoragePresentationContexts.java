package org.lilnet.ingest.dimse;

import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.PresentationContextSelectionPolicy;
import org.lilnet.dicom.DicomHeader;
import org.lilnet.dicom.TransferSyntaxes;

import java.util.LinkedList;
import java.util.List;
import java.util.Set;

/**
 * Which presentation contexts we accept at association negotiation:
 * <ul>
 *   <li>Verification (C-ECHO) in implicit or explicit VR little endian;</li>
 *   <li>CT Image Storage in the transfer syntaxes we decode ({@link TransferSyntaxes#DECODABLE}); anything else
 *   (JPEG-LS, 12-bit JPEG, HTJ2K) is refused here with "transfer syntaxes not supported", so that the sender
 *   decompresses (dcmtk's storescu does) or knows why;</li>
 *   <li>every other storage SOP class in the standard transfer syntaxes we can parse: we store those objects but do
 *   not process them (the study's case lists them);</li>
 *   <li>anything else (query/retrieve, private SOP classes): abstract syntax not supported.</li>
 * </ul>
 * The sender's order of transfer syntaxes is respected within a context.
 */
final class StoragePresentationContexts implements PresentationContextSelectionPolicy {

    static final String VERIFICATION = "1.2.840.10008.1.1";
    private static final String STORAGE_PREFIX = "1.2.840.10008.5.1.4.1.1.";
    private static final String DICOM_TRANSFER_SYNTAX_PREFIX = "1.2.840.10008.1.2";

    private static final byte ACCEPTANCE = 0;
    private static final byte ABSTRACT_SYNTAX_NOT_SUPPORTED = 3;
    private static final byte TRANSFER_SYNTAXES_NOT_SUPPORTED = 4;

    /** Syntaxes we can walk and store without decoding: the standard ones, native or encapsulated. */
    static boolean storable(String ts) {
        return ts != null && (ts.equals(DICOM_TRANSFER_SYNTAX_PREFIX) || ts.startsWith(DICOM_TRANSFER_SYNTAX_PREFIX + "."));
    }

    /** What the last negotiation on this thread did not accept, for the association's log line. */
    private static final ThreadLocal<List<String>> NOT_ACCEPTED = ThreadLocal.withInitial(java.util.ArrayList::new);

    /** The presentation contexts the last negotiation on this thread did not accept, in words; clears the list. */
    static List<String> takeNotAccepted() {
        List<String> out = List.copyOf(NOT_ACCEPTED.get());
        NOT_ACCEPTED.get().clear();
        return out;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int associationNumber) {
        NOT_ACCEPTED.get().clear();
        for (Object o : contexts) {
            PresentationContext pc = (PresentationContext) o;
            String abstractSyntax = pc.getAbstractSyntaxUID();
            List<String> proposed = List.copyOf((List<String>) pc.getTransferSyntaxUIDs());
            String chosen = null;
            byte result;
            if (VERIFICATION.equals(abstractSyntax)) {
                chosen = first(proposed, Set.of(TransferSyntaxes.IMPLICIT_VR_LITTLE_ENDIAN, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN));
                result = chosen == null ? TRANSFER_SYNTAXES_NOT_SUPPORTED : ACCEPTANCE;
            } else if (DicomHeader.CT_IMAGE_STORAGE.equals(abstractSyntax)) {
                chosen = first(proposed, TransferSyntaxes.DECODABLE);
                result = chosen == null ? TRANSFER_SYNTAXES_NOT_SUPPORTED : ACCEPTANCE;
            } else if (abstractSyntax != null && abstractSyntax.startsWith(STORAGE_PREFIX)) {
                chosen = proposed.stream().filter(StoragePresentationContexts::storable).findFirst().orElse(null);
                result = chosen == null ? TRANSFER_SYNTAXES_NOT_SUPPORTED : ACCEPTANCE;
            } else {
                result = ABSTRACT_SYNTAX_NOT_SUPPORTED;
            }
            if (chosen != null) {
                pc.newTransferSyntaxUIDs();
                pc.addTransferSyntaxUID(chosen);
            } else {
                NOT_ACCEPTED.get().add(org.lilnet.dicom.SopClasses.describe(abstractSyntax) + (result == ABSTRACT_SYNTAX_NOT_SUPPORTED
                        ? " (not a storage SOP class)" : " in " + proposed.stream().map(TransferSyntaxes::describe)
                        .collect(java.util.stream.Collectors.joining(", ")) + " (transfer syntax not supported: cannot be decoded here)"));
            }
            pc.setResultReason(result);
        }
        return contexts;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int associationNumber, int debugLevel) {
        return applyPresentationContextSelectionPolicy(contexts, associationNumber);
    }

    private static String first(List<String> proposed, Set<String> acceptable) {
        return proposed.stream().filter(acceptable::contains).findFirst().orElse(null);
    }
}
