// Show a legend section only while its layer is on. Sections carry data-layer: the name the layer control reports.
// Exclusive layers (one partner at a time, radio buttons) are Leaflet base layers: choosing one hides the others.
function c5mapLegendFollowsLayers(map, hiddenAtFirst, exclusive) {
    function setShown(name, shown) {
        document.querySelectorAll('.c5-legend-section[data-layer]').forEach(function(section) {
            if (section.getAttribute('data-layer') === name) { section.style.display = shown ? '' : 'none'; }
        });
    }
    map.on('overlayadd overlayremove', function(e) { setShown(e.name, e.type === 'overlayadd'); });
    map.on('baselayerchange', function(e) {
        exclusive.forEach(function(name) { setShown(name, name === e.name); });
    });
    hiddenAtFirst.forEach(function(name) { setShown(name, false); });
}
