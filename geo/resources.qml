<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- c5map style of the layer resources -->
<qgis version="3.22.16-Białowieża" styleCategories="Symbology|Labeling" labelsEnabled="1">
 <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">
  <rules key="c5map-root">
   <rule key="c5map-0" symbol="0" label="deposit or reserve" filter="TRUE" />
  </rules>
  <symbols>
   <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="name" value="circle" />
      <Option type="QString" name="color" value="230,159,0,255" />
      <Option type="QString" name="outline_color" value="230,159,0,255" />
      <Option type="QString" name="outline_style" value="solid" />
      <Option type="QString" name="outline_width" value="0.265" />
      <Option type="QString" name="outline_width_unit" value="MM" />
      <Option type="QString" name="size" value="2.646" />
      <Option type="QString" name="size_unit" value="MM" />
      <Option type="QString" name="angle" value="0" />
      <Option type="QString" name="offset" value="0,0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
 <labeling type="simple">
  <settings calloutType="simple">
   <text-style fieldName="&quot;name&quot;" isExpression="1" fontFamily="Sans Serif" namedStyle="" fontSize="8.25" fontSizeUnit="Point" fontWeight="50" fontItalic="0" textColor="34,34,34,255" textOpacity="1" multilineHeight="1" blendMode="0" previewBkgrdColor="255,255,255,255">
    <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85" bufferJoinStyle="128" bufferNoFill="1" />
   </text-style>
   <text-format multilineAlign="1" wrapChar="" addDirectionSymbol="0" />
   <placement placement="6" centroidInside="1" dist="1" distUnits="MM" priority="5" />
   <rendering obstacle="1" drawLabels="1" scaleVisibility="0" displayAll="0" />
  </settings>
 </labeling>
</qgis>
