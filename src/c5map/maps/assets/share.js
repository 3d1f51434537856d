// Share state: the URL hash keeps the chosen layer, the layers shown and the view, and opening it restores them:
//   #layer=china-deals&on=events,central-asia-c5-as-a-whole&at=43.210,68.100,5
// Keys are the layers' names in the layer control, lower-cased with every other character a hyphen.
function c5mapLayerKey(name) {
    var holder = document.createElement('div');
    holder.innerHTML = name;  // the control's names are escaped HTML: key the text a reader sees
    return holder.textContent.toLowerCase().replace(/[^a-z0-9\u00c0-\uffff]+/g, '-').replace(/^-+|-+$/g, '');
}

// ``control`` returns the page's layer control (or null): it is made after this call, so it is asked for later.
function c5mapShareState(map, control) {
    // after every script of the page has run: the parser may yield between two scripts, and a timer run then
    // would restore a shared view that the page's own opening fit, in a later script, undoes
    function start() { window.setTimeout(function() { c5mapStartShareState(map, control()); }, 0); }
    if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}

function c5mapStartShareState(map, control) {
    var entries = control && control._layers ? control._layers : [];
    function hashOf() {
        var parts = [];
        var base = entries.filter(function(e) { return !e.overlay && map.hasLayer(e.layer); })[0];
        if (base) { parts.push('layer=' + encodeURIComponent(c5mapLayerKey(base.name))); }
        var overlays = entries.filter(function(e) { return e.overlay; });
        if (overlays.length) {
            var on = overlays.filter(function(e) { return map.hasLayer(e.layer); });
            parts.push('on=' + on.map(function(e) { return encodeURIComponent(c5mapLayerKey(e.name)); }).join(','));
        }
        var centre = map.getCenter();
        parts.push('at=' + centre.lat.toFixed(3) + ',' + centre.lng.toFixed(3) + ',' + map.getZoom());
        return '#' + parts.join('&');
    }
    function read() {
        var params = {};
        window.location.hash.replace(/^#/, '').split('&').forEach(function(pair) {
            var at = pair.indexOf('=');
            if (at > 0) {
                try { params[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1)); } catch (e) { /* ignore */ }
            }
        });
        if (params.layer) {
            var chosen = entries.filter(function(e) { return !e.overlay && c5mapLayerKey(e.name) === params.layer; })[0];
            if (chosen && !map.hasLayer(chosen.layer)) {
                entries.forEach(function(e) { if (!e.overlay && map.hasLayer(e.layer)) { map.removeLayer(e.layer); } });
                map.addLayer(chosen.layer);
            }
        }
        if (params.on !== undefined) {
            var on = params.on.split(',');
            entries.forEach(function(e) {
                if (!e.overlay) { return; }
                var wanted = on.indexOf(c5mapLayerKey(e.name)) >= 0;
                if (wanted && !map.hasLayer(e.layer)) { map.addLayer(e.layer); }
                if (!wanted && map.hasLayer(e.layer)) { map.removeLayer(e.layer); }
            });
        }
        var at = (params.at || '').split(',').map(Number);
        if (at.length === 3 && at.every(isFinite) && Math.abs(at[0]) <= 90) {
            var go = function() {
                // reset: a view set from the page's own last centre (a pan) lands off by the opening fit's drift
                map.setView([at[0], at[1]], Math.max(map.getMinZoom(), Math.min(map.getMaxZoom(), at[2])),
                            {animate: false, reset: true});
            };
            c5mapWhenSettled(map, go);  // after the opening fit: its end would undo a view set now
        }
    }
    // the page's own fits (on opening, on a phone) move the map too: only what the reader does is written
    var touched = false;
    ['pointerdown', 'wheel', 'keydown', 'touchstart'].forEach(function(type) {
        map.getContainer().addEventListener(type, function(event) {
            // the title, legend and dialogs are no change of view: opening "Embed" must not write the address
            var target = event.target;
            if (target && target.closest && target.closest('.c5-title, .c5-legend, .c5-dialog, dialog')) { return; }
            touched = true;
        }, {capture: true, passive: true});
    });
    map.on('baselayerchange overlayadd overlayremove', function() { touched = true; });
    function write() {
        var hash = hashOf();
        if (!touched && window.location.hash === '') { return; }
        if (hash !== window.location.hash) { window.history.replaceState(null, '', hash); }
        document.querySelectorAll('[data-c5-embed]').forEach(c5mapFillEmbed);
    }
    read();
    // the URL changes only once the reader changes something: a page opened plainly keeps its plain address
    map.on('moveend baselayerchange overlayadd overlayremove', write);
    window.addEventListener('hashchange', read);
}

// The embed snippet: the build's own (share.py), pointed at this page's published address and the view shown now.
function c5mapFillEmbed(box) {
    var base = box.getAttribute('data-c5-embed');
    var here = window.location.href.split('#')[0];
    var src = (base || (/^https?:/.test(here) ? here : box.getAttribute('data-c5-page'))) + window.location.hash;
    box.value = box.defaultValue.replace(/ src="[^"]*"/, ' src="' + src.replace(/"/g, '%22') + '"');
}

// Buttons marked data-c5-dialog open the dialog of that id; [data-c5-close] closes it; [data-c5-copy] copies a box.
function c5mapDialogs() {
    window.setTimeout(function() {
        document.querySelectorAll('[data-c5-dialog]').forEach(function(button) {
            button.addEventListener('click', function() {
                var dialog = document.getElementById(button.getAttribute('data-c5-dialog'));
                if (!dialog) { return; }
                dialog.querySelectorAll('[data-c5-embed]').forEach(c5mapFillEmbed);
                if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute('open', ''); }
            });
        });
        document.querySelectorAll('[data-c5-close]').forEach(function(button) {
            button.addEventListener('click', function() { button.closest('dialog').close(); });
        });
        document.querySelectorAll('[data-c5-copy]').forEach(function(button) {
            button.addEventListener('click', function() {
                var box = document.getElementById(button.getAttribute('data-c5-copy'));
                box.select();
                var done = function() { button.textContent = 'Copied'; };
                if (navigator.clipboard && window.isSecureContext) {
                    navigator.clipboard.writeText(box.value).then(done, function() {});
                } else if (document.execCommand && document.execCommand('copy')) { done(); }
            });
        });
    }, 0);
}
