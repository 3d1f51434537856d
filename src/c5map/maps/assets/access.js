// Keyboard and screen-reader access to the map itself.
// - The controls (title, downloads, layers, legend) come before the map's shapes in the tab order: Leaflet puts
//   its panes first in the page, so a keyboard reader met every shape before any control. Both are absolutely
//   positioned, so moving the control container first changes the order and nothing on screen.
// - Every shape, line and marker with a tooltip is a tab stop named by its tooltip's text; focus shows the tooltip.
//   Shapes without one are left out of the tab order.
function c5mapAccess(map) {
    var container = map.getContainer();
    var controls = container.querySelector('.leaflet-control-container');
    if (controls && controls !== container.firstChild) { container.insertBefore(controls, container.firstChild); }
    // the map is the page: its landmark, named with how to use it from the keyboard
    container.setAttribute('role', 'main');
    container.setAttribute('aria-label', 'Map. Use the arrow keys to pan and + or - to zoom; Tab reaches every area.');
    function words(html) {
        var holder = document.createElement('div');
        holder.innerHTML = String(html).replace(/<br\s*\/?>/gi, '. ');
        return holder.textContent.replace(/\s+/g, ' ').trim();
    }
    function name(layer) {
        var element = layer.getElement ? layer.getElement() : null;
        if (!element || element.getAttribute('data-c5-named')) { return; }
        element.setAttribute('data-c5-named', '1');
        var tip = layer.getTooltip ? layer.getTooltip() : null;
        var content = tip ? tip.getContent() : null;
        if (!content || typeof content !== 'string') {
            element.setAttribute('tabindex', '-1');
            element.setAttribute('aria-hidden', 'true');
            return;
        }
        element.setAttribute('tabindex', '0');
        element.setAttribute('role', 'img');
        element.setAttribute('aria-label', words(content));
        element.addEventListener('focus', function() {
            element.classList.add('c5-focused');
            layer.openTooltip();
        });
        element.addEventListener('blur', function() {
            element.classList.remove('c5-focused');
            layer.closeTooltip();
        });
        element.addEventListener('keydown', function(e) {
            if (e.key === 'Escape') { layer.closeTooltip(); }
        });
    }
    map.on('layeradd', function(e) { window.setTimeout(function() { name(e.layer); }, 0); });
    window.setTimeout(function() { map.eachLayer(name); }, 0);
}
