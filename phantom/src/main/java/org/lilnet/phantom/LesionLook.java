package org.lilnet.phantom;

/**
 * A lesion's attenuation in one phase (HU). NaN marks a part that is absent or not visible in that phase.
 *
 * @param body        the main lesional tissue: HCC tumour, ICC/MET rim, FNH, HEM nodules, cyst fluid
 * @param center      the central part: HCC necrosis, ICC/MET centre, FNH scar, HEM centre
 * @param capsule     the HCC capsule rim (portal venous and delayed phases)
 * @param texture     amplitude of the heterogeneity (mosaic), HU
 * @param noduleScale HEM: how much the peripheral nodules have grown (1 in the arterial phase)
 * @param fillDepth   HEM: depth from the rim that has filled in, as a fraction of the radius
 */
public record LesionLook(double body, double center, double capsule, double texture, double noduleScale, double fillDepth) {

    public static LesionLook of(double body, double center, double capsule, double texture) {
        return new LesionLook(body, center, capsule, texture, 1, 0);
    }
}
