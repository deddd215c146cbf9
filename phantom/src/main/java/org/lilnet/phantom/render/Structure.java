package org.lilnet.phantom.render;

/** Something that paints itself onto a slice (body, organ, vessel, lesion), in the order of the scene. */
public interface Structure {

    void paint(Canvas canvas);
}
