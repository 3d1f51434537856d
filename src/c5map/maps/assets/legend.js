// Show a legend section only while its layer is on. Sections carry data-layer: the name the layer control reports.
function c5mapLegendFollowsLayers(map, hiddenAtFirst) {
    function setShown(name, shown) {
        document.querySelectorAll('.c5-legend-section[data-layer]').forEach(function(section) {
            if (section.getAttribute('data-layer') === name) { section.style.display = shown ? '' : 'none'; }
        });
    }
    map.on('overlayadd overlayremove', function(e) { setShown(e.name, e.type === 'overlayadd'); });
    hiddenAtFirst.forEach(function(name) { setShown(name, false); });
}
