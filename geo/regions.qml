<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- c5map style of the layer regions -->
<qgis version="3.22.16-Białowieża" styleCategories="Symbology|Labeling" labelsEnabled="1">
 <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">
  <rules key="c5map-root">
   <rule key="c5map-0" symbol="0" label="the region's outline" filter="TRUE" />
  </rules>
  <symbols>
   <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="color" value="0,0,0,0" />
      <Option type="QString" name="style" value="no" />
      <Option type="QString" name="outline_style" value="no" />
      <Option type="QString" name="outline_width" value="0" />
      <Option type="QString" name="outline_width_unit" value="MM" />
      <Option type="QString" name="offset" value="0,0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="line_color" value="34,34,34,255" />
      <Option type="QString" name="line_width" value="0.794" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="line_style" value="solid" />
      <Option type="QString" name="use_custom_dash" value="1" />
      <Option type="QString" name="customdash" value="2.117;1.587" />
      <Option type="QString" name="customdash_unit" value="MM" />
      <Option type="QString" name="capstyle" value="round" />
      <Option type="QString" name="joinstyle" value="round" />
      <Option type="QString" name="offset" value="0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
 <labeling type="simple">
  <settings calloutType="simple">
   <text-style fieldName="&quot;region_name&quot; || char(10) || 'China: $66.2bn (total trade, 2024)' || char(10) || 'Russia: more than $45bn (total trade, 2024)' || char(10) || 'United States: $12.4bn (agreements signed, 2025)'" isExpression="1" fontFamily="Sans Serif" namedStyle="" fontSize="9" fontSizeUnit="Point" fontWeight="63" fontItalic="0" textColor="34,34,34,255" textOpacity="1" multilineHeight="1" blendMode="0" previewBkgrdColor="255,255,255,255">
    <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85" bufferJoinStyle="128" bufferNoFill="1" />
   </text-style>
   <text-format multilineAlign="1" wrapChar="" addDirectionSymbol="0" />
   <placement placement="8" centroidInside="1" dist="1" distUnits="MM" priority="5" />
   <rendering obstacle="1" drawLabels="1" scaleVisibility="0" displayAll="0" />
  </settings>
 </labeling>
</qgis>
