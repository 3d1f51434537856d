// A fixed box on the map (title, legend, source line) holding already-escaped HTML.
function c5mapPanel(map, position, cssClass, html) {
    var panel = L.control({position: position});
    panel.onAdd = function() {
        var div = L.DomUtil.create('div', cssClass);
        div.innerHTML = html;
        // a button marked data-c5-toggle opens and folds its panel (the legend on a phone)
        div.querySelectorAll('[data-c5-toggle]').forEach(function(button) {
            button.addEventListener('click', function() {
                var open = div.classList.toggle('c5-open');
                button.setAttribute('aria-expanded', open ? 'true' : 'false');
            });
        });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    panel.addTo(map);
    return panel;
}

// On a narrow map the layer control folds into its button, so it covers neither the title nor the zoom buttons.
function c5mapCompactControls(map, view) {
    window.setTimeout(function() { c5mapFoldControls(map); }, 0);  // after the page's script made the controls
    c5mapAttributionUnderSource(map);
    if (view) { c5mapOpenInFreeSpace(map, view); }
}

// On a phone the title block covers the top of the map and the credits its foot: the opening view fits the
// region between them. A shared link's own view wins (share.js), and the timeline fits itself (timeline.js).
function c5mapOpenInFreeSpace(map, view) {
    function fit() {
        var container = map.getContainer(), size = map.getSize();
        if (size.x >= 640 || container.querySelector('.c5-timeline') || /(^#|&)at=/.test(window.location.hash)) {
            return;
        }
        var origin = container.getBoundingClientRect(), top = 0, bottom = size.y;
        container.querySelectorAll('.leaflet-top .leaflet-control').forEach(function(control) {
            var r = control.getBoundingClientRect();
            if (r.width && r.left - origin.left < size.x / 2) { top = Math.max(top, r.bottom - origin.top); }
        });
        container.querySelectorAll('.leaflet-bottom .leaflet-control').forEach(function(control) {
            var r = control.getBoundingClientRect();
            if (r.width) { bottom = Math.min(bottom, r.top - origin.top); }
        });
        if (bottom - top < size.y / 3) { return; }  // too little room left: keep Leaflet's own fit
        map.fitBounds(view, {paddingTopLeft: [6, top + 6], paddingBottomRight: [6, size.y - bottom + 6],
                             animate: false});
    }
    L.Util.requestAnimFrame(function() { c5mapWhenSettled(map, fit); });
}

// Run ``then`` once the map stands still: the page's opening fit may still be zooming or panning (it starts on
// the next frame), and its end would undo a view set before it. At the latest after a second, should that
// movement never end (a page in a background tab gets no animation frames); never twice.
function c5mapWhenSettled(map, then) {
    if (!(map._animatingZoom || (map._panAnim && map._panAnim._inProgress))) { then(); return; }
    var done = false;
    var once = function() { if (!done) { done = true; map.off('moveend', once); then(); } };
    map.once('moveend', once);
    window.setTimeout(once, 1000);
}

// The tiles' attribution goes under the source line, bottom left: credits together, and on a phone it no longer
// runs across the width of the map under the source line and the legend's button.
function c5mapAttributionUnderSource(map) {
    var attribution = map.attributionControl;
    if (!attribution) { return; }
    attribution.setPosition('bottomleft');
    var container = attribution.getContainer();
    container.parentNode.appendChild(container);  // Leaflet puts a bottom control on top of its corner: move it down
}
function c5mapFoldControls(map) {
    if (map.getSize().x >= 640) { return; }
    document.querySelectorAll('.leaflet-control-layers').forEach(function(control) {
        control.classList.remove('leaflet-control-layers-expanded');
        var button = control.querySelector('.leaflet-control-layers-toggle');
        if (!button) { return; }
        button.setAttribute('role', 'button');
        button.setAttribute('aria-label', 'Layers');
        // opening is all a tap does: the button is hidden while the list is open (Leaflet also opens it on focus)
        L.DomEvent.on(button, 'click', function(e) {
            L.DomEvent.preventDefault(e);
            control.classList.add('leaflet-control-layers-expanded');
        });
        map.on('click', function() { control.classList.remove('leaflet-control-layers-expanded'); });
    });
}
