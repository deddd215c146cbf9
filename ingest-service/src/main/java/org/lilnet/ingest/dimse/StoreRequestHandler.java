package org.lilnet.ingest.dimse;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.Association;
import com.pixelmed.network.CompositeResponseHandler;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.MessageServiceElementCommand;
import com.pixelmed.network.PDataPDU;
import com.pixelmed.network.PresentationDataValue;
import org.lilnet.ingest.intake.Spool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Receives one DIMSE request on an association: the command, then for a C-STORE the data set, streamed into the
 * spool behind a Part 10 header as it arrives (never held whole in memory beyond the spool's limit).
 *
 * <p>PixelMed's {@code ReceivedDataHandler} has no public constructor; {@link CompositeResponseHandler} is the public
 * way to one. We replace its PDU handling entirely.
 */
final class StoreRequestHandler extends CompositeResponseHandler {

    enum Kind { ECHO, STORE, UNSUPPORTED }

    private final Spool spool;
    private final ByteArrayOutputStream command = new ByteArrayOutputStream(512);
    Kind kind;
    int commandField;
    int messageId;
    String sopClassUid;
    String sopInstanceUid;
    byte presentationContextId;
    String transferSyntaxUid;
    Spool.Writer data;

    StoreRequestHandler(Spool spool) {
        this.spool = spool;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void sendPDataIndication(PDataPDU pdata, Association association) throws DicomNetworkException, DicomException, IOException {
        for (Object o : (java.util.List) pdata.getPDVList()) {
            PresentationDataValue pdv = (PresentationDataValue) o;
            presentationContextId = pdv.getPresentationContextID();
            if (pdv.isCommand()) {
                command.writeBytes(pdv.getValue());
                if (pdv.isLastFragment()) {
                    commandReceived(association);
                }
            } else {
                if (data == null) {
                    throw new DicomNetworkException("a data set fragment arrived without a C-STORE command before it");
                }
                data.write(pdv.getValue());
                if (pdv.isLastFragment()) {
                    setDone(true);
                }
            }
        }
    }

    private void commandReceived(Association association) throws DicomNetworkException, DicomException, IOException {
        AttributeList list = CompositeResponseHandler.getAttributeListFromCommandOrData(command.toByteArray(), TransferSyntax.ImplicitVRLittleEndian);
        commandField = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.CommandField, 0xFFFF);
        messageId = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.MessageID, 0);
        sopClassUid = Attribute.getSingleStringValueOrNull(list, TagFromName.AffectedSOPClassUID);
        sopInstanceUid = Attribute.getSingleStringValueOrNull(list, TagFromName.AffectedSOPInstanceUID);
        int dataSetType = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.CommandDataSetType, 0x0101);
        if (commandField == MessageServiceElementCommand.C_ECHO_RQ) {
            kind = Kind.ECHO;
            setDone(true);
        } else if (commandField == MessageServiceElementCommand.C_STORE_RQ && dataSetType != 0x0101) {
            kind = Kind.STORE;
            transferSyntaxUid = association.getTransferSyntaxForPresentationContextID(presentationContextId);
            data = spool.writer();
            Part10.writeHeader(data, sopClassUid, sopInstanceUid, transferSyntaxUid, association.getCallingAETitle());
        } else {
            kind = Kind.UNSUPPORTED;
            setDone(true);
        }
    }

    @Override
    protected void evaluateStatusAndSetSuccess(AttributeList list) {
        // we answer requests, we do not evaluate responses
    }
}
