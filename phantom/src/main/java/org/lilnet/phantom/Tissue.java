package org.lilnet.phantom;

/** Background tissues of the phantom; their HU per phase are drawn per patient ({@link TissueTable}). */
public enum Tissue {
    AIR, LUNG, FAT, MUSCLE, LIVER, SPLEEN, AORTA, PORTAL_VEIN, HEPATIC_VEIN, IVC, KIDNEY_CORTEX, KIDNEY_MEDULLA,
    BONE_CORTEX, BONE_MARROW, DISC, CSF, FLUID, BOWEL_WALL, STOMACH_WALL, HEART, PANCREAS
}
