<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- c5map style of the layer countries -->
<qgis version="3.22.16-Białowieża" styleCategories="Symbology|Labeling" labelsEnabled="1">
 <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">
  <rules key="c5map-root">
   <rule key="c5map-0" symbol="0" label="less than $2bn" filter="FALSE" />
   <rule key="c5map-1" symbol="1" label="$2bn to $5bn" filter="FALSE" />
   <rule key="c5map-2" symbol="2" label="$5bn to $10bn" filter="FALSE" />
   <rule key="c5map-3" symbol="3" label="$10bn or more" filter="&quot;iso3&quot; IN ('KAZ')" />
   <rule key="c5map-4" symbol="4" label="no reported figure (not zero)" filter="&quot;iso3&quot; IN ('KGZ', 'TJK', 'TKM', 'UZB')" />
   <rule key="c5map-5" symbol="5" label="other countries of the layer (not classed in this view)" filter="ELSE" />
  </rules>
  <symbols>
   <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="color" value="255,188,155,217" />
      <Option type="QString" name="style" value="solid" />
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
      <Option type="QString" name="line_width" value="0.265" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="line_style" value="solid" />
      <Option type="QString" name="use_custom_dash" value="0" />
      <Option type="QString" name="customdash" value="1.323;0.529" />
      <Option type="QString" name="customdash_unit" value="MM" />
      <Option type="QString" name="capstyle" value="round" />
      <Option type="QString" name="joinstyle" value="round" />
      <Option type="QString" name="offset" value="0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
   <symbol type="fill" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="color" value="231,126,69,217" />
      <Option type="QString" name="style" value="solid" />
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
      <Option type="QString" name="line_width" value="0.265" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="line_style" value="solid" />
      <Option type="QString" name="use_custom_dash" value="0" />
      <Option type="QString" name="customdash" value="1.323;0.529" />
      <Option type="QString" name="customdash_unit" value="MM" />
      <Option type="QString" name="capstyle" value="round" />
      <Option type="QString" name="joinstyle" value="round" />
      <Option type="QString" name="offset" value="0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
   <symbol type="fill" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="color" value="181,79,0,217" />
      <Option type="QString" name="style" value="solid" />
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
      <Option type="QString" name="line_width" value="0.265" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="line_style" value="solid" />
      <Option type="QString" name="use_custom_dash" value="0" />
      <Option type="QString" name="customdash" value="1.323;0.529" />
      <Option type="QString" name="customdash_unit" value="MM" />
      <Option type="QString" name="capstyle" value="round" />
      <Option type="QString" name="joinstyle" value="round" />
      <Option type="QString" name="offset" value="0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
   <symbol type="fill" name="3" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="color" value="117,48,0,217" />
      <Option type="QString" name="style" value="solid" />
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
      <Option type="QString" name="line_width" value="0.265" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="line_style" value="solid" />
      <Option type="QString" name="use_custom_dash" value="0" />
      <Option type="QString" name="customdash" value="1.323;0.529" />
      <Option type="QString" name="customdash_unit" value="MM" />
      <Option type="QString" name="capstyle" value="round" />
      <Option type="QString" name="joinstyle" value="round" />
      <Option type="QString" name="offset" value="0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
   <symbol type="fill" name="4" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="color" value="255,255,255,255" />
      <Option type="QString" name="style" value="solid" />
      <Option type="QString" name="outline_style" value="no" />
      <Option type="QString" name="outline_width" value="0" />
      <Option type="QString" name="outline_width_unit" value="MM" />
      <Option type="QString" name="offset" value="0,0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
    <layer class="LinePatternFill" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="angle" value="45" />
      <Option type="QString" name="distance" value="1.587" />
      <Option type="QString" name="distance_unit" value="MM" />
      <Option type="QString" name="line_width" value="0.423" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="color" value="153,153,153,255" />
      <Option type="QString" name="offset" value="0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
     <symbol type="line" name="@@1" alpha="1" clip_to_extent="1" force_rhr="0">
      <layer class="SimpleLine" enabled="1" locked="0" pass="0">
       <Option type="Map">
        <Option type="QString" name="line_color" value="153,153,153,255" />
        <Option type="QString" name="line_width" value="0.423" />
        <Option type="QString" name="line_width_unit" value="MM" />
        <Option type="QString" name="line_style" value="solid" />
        <Option type="QString" name="use_custom_dash" value="0" />
        <Option type="QString" name="customdash" value="1.323;0.529" />
        <Option type="QString" name="customdash_unit" value="MM" />
        <Option type="QString" name="capstyle" value="round" />
        <Option type="QString" name="joinstyle" value="round" />
        <Option type="QString" name="offset" value="0" />
        <Option type="QString" name="offset_unit" value="MM" />
       </Option>
      </layer>
     </symbol>
    </layer>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="line_color" value="140,140,140,255" />
      <Option type="QString" name="line_width" value="0.265" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="line_style" value="solid" />
      <Option type="QString" name="use_custom_dash" value="0" />
      <Option type="QString" name="customdash" value="1.323;0.529" />
      <Option type="QString" name="customdash_unit" value="MM" />
      <Option type="QString" name="capstyle" value="round" />
      <Option type="QString" name="joinstyle" value="round" />
      <Option type="QString" name="offset" value="0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
   <symbol type="fill" name="5" alpha="1" clip_to_extent="1" force_rhr="0">
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
      <Option type="QString" name="line_color" value="201,196,184,255" />
      <Option type="QString" name="line_width" value="0.265" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="line_style" value="solid" />
      <Option type="QString" name="use_custom_dash" value="0" />
      <Option type="QString" name="customdash" value="1.323;0.529" />
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
   <text-style fieldName="CASE WHEN &quot;iso3&quot; = 'KAZ' THEN 'Kazakhstan' || char(10) || 'nearly $15bn' WHEN &quot;iso3&quot; = 'KGZ' THEN 'Kyrgyzstan' WHEN &quot;iso3&quot; = 'TJK' THEN 'Tajikistan' WHEN &quot;iso3&quot; = 'TKM' THEN 'Turkmenistan' WHEN &quot;iso3&quot; = 'UZB' THEN 'Uzbekistan' ELSE NULL END" isExpression="1" fontFamily="Sans Serif" namedStyle="" fontSize="9.75" fontSizeUnit="Point" fontWeight="63" fontItalic="0" textColor="34,34,34,255" textOpacity="1" multilineHeight="1" blendMode="0" previewBkgrdColor="255,255,255,255">
    <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85" bufferJoinStyle="128" bufferNoFill="1" />
   </text-style>
   <text-format multilineAlign="1" wrapChar="" addDirectionSymbol="0" />
   <placement placement="1" centroidInside="1" dist="1" distUnits="MM" priority="5" />
   <rendering obstacle="1" drawLabels="1" scaleVisibility="0" displayAll="0" />
  </settings>
 </labeling>
</qgis>
