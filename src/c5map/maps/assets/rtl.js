// A right-to-left page (assets/rtl.css): the title block covers the top right of the map and a desktop legend a
// column on its left. These two replace panel.js's functions of the same names (appended to the page's script by
// c5map.i18n.localise_page, they are its last declarations, which JavaScript keeps), mirrored.

// The room the panels leave the map, in map pixels: {top, bottom, left, right}.
function c5mapFreeRoom(map) {
    var container = map.getContainer(), size = map.getSize(), phone = size.x < 640;
    var origin = container.getBoundingClientRect(), top = 0, bottom = size.y, left = 0;
    container.querySelectorAll('.leaflet-top .leaflet-control').forEach(function(control) {
        var r = control.getBoundingClientRect();
        if (r.width && r.right - origin.left > size.x / 2) { top = Math.max(top, r.bottom - origin.top); }
    });
    container.querySelectorAll('.leaflet-bottom .leaflet-control').forEach(function(control) {
        var r = control.getBoundingClientRect();
        if (!r.width) { return; }
        if (!phone && r.right - origin.left < size.x / 2) {  // a desktop legend: a column on the left
            left = Math.max(left, r.right - origin.left);
        } else {
            bottom = Math.min(bottom, r.top - origin.top);
        }
    });
    if (left > size.x * 0.45) { left = 0; }  // too wide a column to give up: the legend folds anyway
    return {top: top, bottom: bottom, left: left, right: size.x};
}

// The opening view, in the room the panels leave (as panel.js's, mirrored).
function c5mapOpenInFreeSpace(map, view) {
    function fit() {
        var container = map.getContainer(), size = map.getSize();
        if (container.querySelector('.c5-timeline') || /(^#|&)at=/.test(window.location.hash)) { return; }
        var room = c5mapFreeRoom(map);
        if (room.bottom - room.top < size.y / 3) { return; }
        map.fitBounds(view, {paddingTopLeft: [room.left + 6, room.top + 6],
                             paddingBottomRight: [6, size.y - room.bottom + 6], animate: false});
    }
    function opened() {
        try { fit(); } finally { map.getContainer().setAttribute('data-c5-opened', ''); }
    }
    L.Util.requestAnimFrame(function() { c5mapWhenSettled(map, opened); });
}
