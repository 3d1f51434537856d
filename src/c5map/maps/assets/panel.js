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
function c5mapCompactControls(map) {
    window.setTimeout(function() { c5mapFoldControls(map); }, 0);  // after the page's script made the controls
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
