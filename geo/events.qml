<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- c5map style of the layer events -->
<qgis version="3.22.16-Białowieża" styleCategories="Symbology|Labeling" labelsEnabled="0">
 <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">
  <rules key="c5map-root">
   <rule key="c5map-0" symbol="0" label="event in a known city" filter="TRUE" />
  </rules>
  <symbols>
   <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="name" value="circle" />
      <Option type="QString" name="color" value="34,34,34,255" />
      <Option type="QString" name="outline_color" value="255,255,255,255" />
      <Option type="QString" name="outline_style" value="solid" />
      <Option type="QString" name="outline_width" value="0.265" />
      <Option type="QString" name="outline_width_unit" value="MM" />
      <Option type="QString" name="size" value="3.175" />
      <Option type="QString" name="size_unit" value="MM" />
      <Option type="QString" name="angle" value="0" />
      <Option type="QString" name="offset" value="0,0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
</qgis>
